"""A risk answer in a check-in that cannot be recorded yet (another answer missing, a made-up
value) reaches the clinician at once, even if the client closes the page."""

import pytest
from django.test import Client as Browser
from pytest_django.fixtures import Settings

from alliance.care.models import Alert, AlertEvent, CheckinInvitation, RefusedResponse, Response
from alliance.practice.models import practice_zone
from tests.care.fixtures import after, all_answered, checkin_link, path_of, session_booked
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db

FIRST_SESSION = ["alliance_client", "phq9", "gad7"]


@pytest.fixture(autouse=True)
def _mail(smtp_server: SmtpServer, settings: Settings) -> None:
    settings.MAILERS = smtp_server.mailers()
    settings.SITE_URL = "https://practice.example"


def test_a_risk_answer_in_an_incomplete_check_in_alerts_at_once_and_is_kept(
    smtp_server: SmtpServer,
) -> None:
    appointment = session_booked()
    link = checkin_link(smtp_server, appointment)
    answers = all_answered(FIRST_SESSION, phq9_9=2)
    del answers["ac_safe"]
    with after(appointment):
        page = Browser().post(path_of(link), answers)
    assert page.status_code == 422
    assert Response.objects.count() == 0
    alert = Alert.objects.get()
    assert (alert.kind, alert.rule, alert.response) == ("risk", "phq9_item9", None)
    assert alert.session is not None
    assert alert.session.appointment == appointment
    assert alert.session.date == appointment.start.astimezone(practice_zone()).date()
    assert alert.evidence["phq9_item9"]["answer"] == "More than half the days"
    kept = RefusedResponse.objects.get()
    assert kept.source == "checkin"
    assert kept.alert == alert
    assert kept.answers["phq9_9"] == "2"
    assert "ac_safe" in {problem["item"] for problem in kept.problems}
    assert CheckinInvitation.objects.get().used_at is None


def test_the_completed_check_in_joins_that_alert(smtp_server: SmtpServer) -> None:
    appointment = session_booked()
    link = checkin_link(smtp_server, appointment)
    answers = all_answered(FIRST_SESSION, phq9_9=2)
    incomplete = {key: value for key, value in answers.items() if key != "gad7_1"}
    with after(appointment):
        Browser().post(path_of(link), incomplete)
        Browser().post(path_of(link), incomplete)  # sent twice: kept once
        done = Browser().post(path_of(link), answers)
    assert done.status_code == 302
    alert = Alert.objects.get()
    phq9 = Response.objects.get(instrument="phq9")
    assert alert.response == phq9
    assert RefusedResponse.objects.get().superseded_by == phq9
    assert AlertEvent.objects.filter(alert=alert, note__contains="corrected record").exists()


@pytest.mark.parametrize("sent", ["7", "often", "-1", "1.5"])
def test_a_made_up_item_9_value_alerts_that_it_could_not_be_read(
    smtp_server: SmtpServer, sent: str
) -> None:
    appointment = session_booked()
    link = checkin_link(smtp_server, appointment)
    with after(appointment):
        page = Browser().post(path_of(link), {**all_answered(FIRST_SESSION), "phq9_9": sent})
    assert page.status_code == 422
    alert = Alert.objects.get()
    assert alert.rule == "phq9_item9_unreadable"
    assert RefusedResponse.objects.get().answers["phq9_9"] == sent


def test_item_9_readable_in_an_otherwise_unscorable_phq9_alerts(smtp_server: SmtpServer) -> None:
    appointment = session_booked()
    link = checkin_link(smtp_server, appointment)
    answers = all_answered(FIRST_SESSION, phq9_9=3)
    for item in ("phq9_1", "phq9_2", "phq9_3"):
        del answers[item]
    with after(appointment):
        Browser().post(path_of(link), answers)
    assert Alert.objects.get().evidence["phq9_item9"]["phq9_item9"] == 3


def test_an_incomplete_check_in_without_a_risk_answer_keeps_nothing(
    smtp_server: SmtpServer,
) -> None:
    appointment = session_booked()
    link = checkin_link(smtp_server, appointment)
    answers = all_answered(FIRST_SESSION)
    del answers["ac_safe"]
    with after(appointment):
        page = Browser().post(path_of(link), answers)
    assert page.status_code == 422
    assert Alert.objects.count() == RefusedResponse.objects.count() == 0
    assert "crisis-card" not in page.content.decode()


@pytest.mark.parametrize("sent", ["\x00", "9" * 5000, "\u0661"])
def test_a_hostile_item_9_value_alerts_without_a_500(smtp_server: SmtpServer, sent: str) -> None:
    appointment = session_booked()
    link = checkin_link(smtp_server, appointment)
    with after(appointment):
        page = Browser().post(path_of(link), {**all_answered(FIRST_SESSION), "phq9_9": sent})
    assert page.status_code == 422
    assert Alert.objects.get().rule == "phq9_item9_unreadable"
    assert RefusedResponse.objects.count() == 1


def test_the_client_sees_crisis_help_at_once_and_is_told_the_therapist_knows(
    smtp_server: SmtpServer,
) -> None:
    appointment = session_booked()
    link = checkin_link(smtp_server, appointment)
    answers = all_answered(FIRST_SESSION, phq9_9=1)
    del answers["gad7_2"]
    with after(appointment):
        html = Browser().post(path_of(link), answers).content.decode()
    start = html.index('<section class="crisis-card"')
    card = html[start : html.index("</section>", start)]
    assert "your therapist" in card
    assert 'href="tel:988"' in card
    assert 'href="sms:988"' in card
    assert 'href="tel:911"' in card
    assert "A few answers are missing" in html
