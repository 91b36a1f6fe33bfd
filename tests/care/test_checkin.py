"""The client's check-in: the link after a session, answering on it, and what happens next."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client as Browser
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django import DjangoCaptureOnCommitCallbacks
from pytest_django.fixtures import Settings

from alliance.accounts.models import Role
from alliance.booking.appointments import appointment_cancel, appointment_mark
from alliance.booking.models import MessageKind
from alliance.care.models import Alert, AlertMessage, CheckinInvitation, Response, ResponseSource
from alliance.care.services import answers_score, response_record, session_on
from alliance.outbox.models import MessageStatus
from alliance.outbox.sending import outbox_flush
from alliance.practice.models import Practice, practice_zone
from tests.booking.fixtures import bookable_therapist
from tests.care.fixtures import after, all_answered, checkin_link, path_of, session_booked
from tests.conftest import make_therapist, make_user
from tests.smtp import SmtpServer, free_port, message_parts

pytestmark = pytest.mark.django_db

FIRST_SESSION = ["alliance_client", "phq9", "gad7"]


def crisis_card(html: str) -> str:
    start = html.index('<section class="crisis-card"')
    return html[start : html.index("</section>", start)]


@pytest.fixture(autouse=True)
def _mail(smtp_server: SmtpServer, settings: Settings) -> None:
    settings.MAILERS = smtp_server.mailers()
    settings.SITE_URL = "https://practice.example"


def test_the_link_is_sent_when_the_session_ends_and_not_before(smtp_server: SmtpServer) -> None:
    appointment = session_booked()
    outbox_flush()
    assert smtp_server.messages == []
    with after(appointment):
        assert outbox_flush() == 1
    (message,) = smtp_server.messages
    assert message["To"] == "casey@example.com"
    assert message["Subject"].startswith("How was your session?")
    text = message_parts(message)["text/plain"]
    assert "https://practice.example/checkin/" in text
    # Nothing personal: not the client's name, not the therapist's, not the kind of visit.
    for personal in ("Casey", "Bo Bookable", "Session"):
        assert personal not in text
        assert personal not in message["Subject"]


def test_marking_a_session_attended_sends_the_link_only_when_it_ends(
    smtp_server: SmtpServer,
) -> None:
    appointment = session_booked()
    with time_machine.travel(appointment.start + timedelta(minutes=10)):
        appointment_mark(appointment=appointment, status="fulfilled")
        assert outbox_flush() == 0
    with time_machine.travel(appointment.end - timedelta(minutes=1)):
        assert outbox_flush() == 0
    assert smtp_server.messages == []
    with after(appointment, minutes=1):
        assert outbox_flush() == 1
    assert "/checkin/" in message_parts(smtp_server.messages[0])["text/plain"]


def test_a_check_in_made_due_early_waits_for_the_end(smtp_server: SmtpServer) -> None:
    appointment = session_booked()
    during = appointment.start + timedelta(minutes=10)
    # Brought forward by a mark, as was done before the link had to wait for the end.
    appointment.messages.filter(kind=MessageKind.CHECKIN).update(
        send_after=during, next_attempt_at=during
    )
    with time_machine.travel(during):
        assert outbox_flush() == 0
    assert appointment.messages.get(kind=MessageKind.CHECKIN).status == MessageStatus.QUEUED
    with after(appointment, minutes=1):
        assert outbox_flush() == 1
    assert "/checkin/" in message_parts(smtp_server.messages[0])["text/plain"]


def test_a_cancelled_session_sends_no_check_in(smtp_server: SmtpServer) -> None:
    appointment = session_booked(days_ahead=3)
    appointment_cancel(appointment=appointment)
    with after(appointment):
        outbox_flush()
    assert all("/checkin/" not in message_parts(m)["text/plain"] for m in smtp_server.messages)


def test_a_no_show_sends_no_check_in(smtp_server: SmtpServer) -> None:
    appointment = session_booked()
    with after(appointment):
        appointment_mark(appointment=appointment, status="noshow")
        assert outbox_flush() == 0
    assert appointment.messages.get(kind=MessageKind.CHECKIN).status == MessageStatus.CANCELLED


def test_the_first_check_in_asks_relationship_then_symptoms_and_says_how_long(
    smtp_server: SmtpServer,
) -> None:
    appointment = session_booked()
    link = checkin_link(smtp_server, appointment)
    with after(appointment):
        page = Browser().get(path_of(link))
    assert page.status_code == 200
    html = page.content.decode()
    assert CheckinInvitation.objects.get().instruments == FIRST_SESSION
    positions = [html.index(f'id="instrument-{code}"') for code in FIRST_SESSION]
    assert positions == sorted(positions)
    assert "About 3 minutes." in html  # 24 questions at about 6 seconds each
    (message,) = smtp_server.messages
    assert message["Subject"] == "How was your session? A check-in of about 3 minutes"
    assert "Thoughts that you would be better off dead" in html
    # Plain headings for the client, with where they are in the whole.
    assert "Part 2 of 3</span> How you have been feeling" in html
    # Said once, under the questions it is about.
    assert html.count("not a validated instrument") == 1


def test_answering_records_every_instrument_scored(smtp_server: SmtpServer) -> None:
    appointment = session_booked()
    link = checkin_link(smtp_server, appointment)
    answers = all_answered(FIRST_SESSION, phq9_1=3, phq9_2=2, gad7_1=1, ac_overall=4)
    with after(appointment):
        done = Browser().post(path_of(link), {**answers, "comment": "It felt rushed today."})
    assert done.status_code == 302
    assert done["Location"].endswith("/thanks/")
    by_code = {response.instrument: response for response in Response.objects.all()}
    assert set(by_code) == set(FIRST_SESSION)
    assert by_code["phq9"].total == 5
    assert by_code["phq9"].band == "Mild"
    assert by_code["gad7"].total == 1
    assert by_code["alliance_client"].total == 1 * 6 + 4
    assert by_code["alliance_client"].comment == "It felt rushed today."
    assert by_code["phq9"].flags == []
    assert Alert.objects.count() == 0
    assert {response.session.appointment for response in by_code.values()} == {appointment}


def test_one_check_in_queues_one_signals_recompute_for_all_its_answers(
    smtp_server: SmtpServer, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    appointment = session_booked()
    link = checkin_link(smtp_server, appointment)
    with after(appointment), django_capture_on_commit_callbacks(execute=True):
        Browser().post(path_of(link), all_answered(FIRST_SESSION))
    assert Response.objects.count() == len(FIRST_SESSION) > 1
    queued = DBTaskResult.objects.filter(task_path__endswith="signals_recompute_task")
    assert [task.args_kwargs["args"] for task in queued] == [[str(appointment.client.uuid)]]


def test_a_second_submit_of_the_same_link_records_nothing_new(smtp_server: SmtpServer) -> None:
    appointment = session_booked()
    link = checkin_link(smtp_server, appointment)
    answers = all_answered(FIRST_SESSION)
    browser = Browser()
    with after(appointment):
        browser.post(path_of(link), answers)
        again = browser.post(path_of(link), all_answered(FIRST_SESSION, phq9_1=3))
        page = browser.get(again["Location"])
    assert again.status_code == 302
    assert Response.objects.count() == len(FIRST_SESSION)
    assert Response.objects.get(instrument="phq9").total == 0
    assert "Thank you" in page.content.decode()
    assert 'class="crisis-card"' not in page.content.decode()


def test_missing_answers_are_refused_and_everything_chosen_is_kept(
    smtp_server: SmtpServer,
) -> None:
    appointment = session_booked()
    link = checkin_link(smtp_server, appointment)
    answers = all_answered(FIRST_SESSION, phq9_4=2)
    del answers["phq9_9"], answers["ac_safe"]
    with after(appointment):
        page = Browser().post(path_of(link), {**answers, "comment": "Keep me"})
    assert page.status_code == 422
    html = page.content.decode()
    assert "A few answers are missing" in html
    assert 'href="#q-phq9_9"' in html
    assert 'href="#q-ac_safe"' in html
    assert 'name="phq9_4" value="2" id="id_phq9_4_2" checked' in html
    assert "Keep me" in html
    assert Response.objects.count() == 0


def test_a_made_up_answer_value_is_refused_not_a_500(smtp_server: SmtpServer) -> None:
    appointment = session_booked()
    link = checkin_link(smtp_server, appointment)
    with after(appointment):
        page = Browser().post(
            path_of(link), {**all_answered(FIRST_SESSION), "phq9_1": "7", "gad7_2": "x"}
        )
    assert page.status_code == 422
    assert "Please choose one of the answers shown." in page.content.decode()
    assert Response.objects.count() == 0


def test_a_risk_answer_shows_crisis_help_and_alerts_the_clinicians_at_once(
    smtp_server: SmtpServer, settings: Settings
) -> None:
    tara = make_user("tara@example.com", Role.THERAPIST)
    lead = make_user("lead@example.com", Role.THERAPIST)
    therapist = make_therapist("tara-tate", tara)
    bookable_therapist(therapist.slug)
    Practice.objects.filter(pk=1).update(phone="(305) 555-0142", designated_clinician=lead)
    appointment = session_booked(therapist=therapist)
    link = checkin_link(smtp_server, appointment)
    with after(appointment):
        done = Browser().post(path_of(link), all_answered(FIRST_SESSION, phq9_9=1))
        thanks = Browser().get(done["Location"])
        # Every page carries a crisis strip; this card is the one the risk answer brings.
        card = crisis_card(thanks.content.decode())
        assert 'href="tel:988"' in card
        assert 'href="sms:988"' in card
        assert 'href="tel:911"' in card
        assert 'href="tel:+13055550142"' in card
        alert = Alert.objects.get()
        assert alert.kind == "risk"
        assert alert.therapist == therapist
        assert alert.response == Response.objects.get(instrument="phq9")
        assert Response.objects.get(instrument="phq9").flags == ["risk"]
        # The source the clinician reads is the published one, not a document they do not have.
        assert "(Kroenke, Spitzer & Williams 2001)" in alert.source
        before = len(smtp_server.messages)
        assert outbox_flush() == 2
    told = {m["To"]: m for m in smtp_server.messages[before:]}
    assert set(told) == {"tara@example.com", "lead@example.com"}
    text = message_parts(told["tara@example.com"])["text/plain"]
    assert "needs prompt clinical review" in text
    assert "Casey" not in text
    assert f"/staff/clients/{appointment.client.uuid}/" in text


def test_a_risk_alert_survives_a_mail_server_that_is_down(
    smtp_server: SmtpServer, settings: Settings
) -> None:
    therapist = make_therapist("tara-tate", make_user("tara@example.com", Role.THERAPIST))
    bookable_therapist(therapist.slug)
    appointment = session_booked(therapist=therapist)
    link = checkin_link(smtp_server, appointment)
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    with after(appointment):
        Browser().post(path_of(link), all_answered(FIRST_SESSION, phq9_9=2))
        assert outbox_flush() == 0
    alert = Alert.objects.get()
    (message,) = AlertMessage.objects.filter(alert=alert)
    assert message.status == MessageStatus.RETRYING
    settings.MAILERS = smtp_server.mailers()
    with time_machine.travel(message.next_attempt_at + timedelta(seconds=1)):
        assert outbox_flush() == 1
    assert smtp_server.messages[-1]["To"] == "tara@example.com"


def test_an_expired_link_explains_itself_and_sends_a_new_one(smtp_server: SmtpServer) -> None:
    appointment = session_booked()
    link = checkin_link(smtp_server, appointment)
    later = appointment.end + timedelta(days=8)
    with time_machine.travel(later):
        page = Browser().get(path_of(link))
        assert page.status_code == 410
        assert "This check-in link has expired" in page.content.decode()
        renewed = Browser().post(path_of(link) + "new-link/")
        assert "A new link is on its way" in renewed.content.decode()
        assert outbox_flush() == 1
    new_link = checkin_link(smtp_server, appointment)
    assert new_link != link
    with time_machine.travel(later):
        assert Browser().get(path_of(new_link)).status_code == 200


def test_a_used_link_says_thank_you_rather_than_asking_again(smtp_server: SmtpServer) -> None:
    appointment = session_booked()
    link = checkin_link(smtp_server, appointment)
    with after(appointment):
        Browser().post(path_of(link), all_answered(FIRST_SESSION))
        page = Browser().get(path_of(link), follow=True)
    assert "Thank you" in page.content.decode()
    assert 'name="phq9_1"' not in page.content.decode()


def test_a_forged_link_is_a_kind_not_found(smtp_server: SmtpServer) -> None:
    page = Browser().get("/checkin/not-a-real-token/")
    assert page.status_code == 404
    assert "We couldn't open this check-in" in page.content.decode()
    assert Browser().post("/checkin/not-a-real-token/new-link/").status_code == 404


def test_the_second_session_asks_about_the_relationship_and_self_esteem(
    smtp_server: SmtpServer,
) -> None:
    first = session_booked()
    with after(first):
        Browser().post(path_of(checkin_link(smtp_server, first)), all_answered(FIRST_SESSION))
        second = session_booked(client=first.client, days_ahead=8)
    link = checkin_link(smtp_server, second)
    invitation = CheckinInvitation.objects.get(appointment=second)
    assert invitation.instruments == ["alliance_client", "rses"]
    assert "/checkin/" in link
    assert timezone.now() < second.start


def test_a_returning_clients_usual_check_in_takes_under_a_minute(
    smtp_server: SmtpServer,
) -> None:
    appointment = session_booked()
    client = appointment.client
    therapist = appointment.therapist
    today = appointment.start.astimezone(practice_zone()).date()
    # Sessions 1 to 3 a week apart, each answered as the default plan asked.
    for weeks, codes in ((3, FIRST_SESSION), (2, ["alliance_client", "rses"]), (1, FIRST_SESSION)):
        session = session_on(client=client, therapist=therapist, day=today - timedelta(weeks=weeks))
        for code in codes:
            response_record(
                session=session,
                scored=answers_score(code, {k: int(v) for k, v in all_answered([code]).items()}),
                completed_at=timezone.now(),
                source=ResponseSource.CHECKIN,
            )
    link = checkin_link(smtp_server, appointment)
    assert CheckinInvitation.objects.get(appointment=appointment).instruments == ["alliance_client"]
    (message,) = [m for m in smtp_server.messages if "/checkin/" in message_parts(m)["text/plain"]]
    assert message["Subject"] == "How was your session? A check-in of under a minute"
    assert "The check-in takes under a minute" in message_parts(message)["text/plain"]
    assert "The check-in takes under a minute" in message_parts(message)["text/html"]
    with after(appointment):
        html = Browser().get(path_of(link)).content.decode()
    assert "Under a minute." in html
    assert 'id="instrument-phq9"' not in html


def test_the_optional_question_may_be_left_unanswered(smtp_server: SmtpServer) -> None:
    appointment = session_booked()
    link = checkin_link(smtp_server, appointment)
    answers = all_answered(FIRST_SESSION, ac_tension=2)
    del answers["ac_repair"]
    with after(appointment):
        assert Browser().post(path_of(link), answers).status_code == 302
    assert "ac_repair" not in Response.objects.get(instrument="alliance_client").answers


def checked(html: str, item_id: str) -> list[str]:
    """The values chosen for one question on a re-displayed page."""
    return re.findall(rf'name="{item_id}" value="(\d+)" id="[^"]*" checked', html)


def test_a_repair_answer_after_no_tension_is_refused_and_cleared_keeping_the_rest(
    smtp_server: SmtpServer,
) -> None:
    appointment = session_booked()
    link = checkin_link(smtp_server, appointment)
    answers = all_answered(FIRST_SESSION, ac_overall=4, phq9_1=2) | {"ac_repair": "4"}
    with after(appointment):
        page = Browser().post(path_of(link), {**answers, "comment": "Keep my words."})
    assert page.status_code == 422
    html = page.content.decode()
    assert (
        "This follows on from “Was there any tension or misunderstanding between you and your "
        "therapist today?”, where you chose “No”, so it does not apply and your answer here "
        "was cleared. If you meant another answer there, change it and choose here again."
    ) in html
    assert checked(html, "ac_repair") == []
    assert checked(html, "ac_tension") == ["0"]
    assert checked(html, "ac_overall") == ["4"]
    assert checked(html, "phq9_1") == ["2"]
    assert "Keep my words." in html
    assert Response.objects.count() == 0
    assert CheckinInvitation.objects.get().used_at is None


def test_without_its_script_the_page_says_when_the_follow_up_applies(
    smtp_server: SmtpServer,
) -> None:
    appointment = session_booked()
    link = checkin_link(smtp_server, appointment)
    with after(appointment):
        html = Browser().get(path_of(link)).content.decode()
    follow_up = html.split('id="q-ac_repair"')[1].split("</fieldset>")[0]
    assert (
        '<p class="question__when">Only if you answered “A little” or “Yes” to the question '
        "above.</p>"
    ) in follow_up
    # The question it follows on from carries no such line.
    assert "question__when" not in html.split('id="q-ac_tension"')[1].split("</fieldset>")[0]


def test_a_repair_answer_after_some_tension_is_recorded(smtp_server: SmtpServer) -> None:
    appointment = session_booked()
    link = checkin_link(smtp_server, appointment)
    answers = all_answered(FIRST_SESSION, ac_tension=1, ac_repair=4)
    with after(appointment):
        assert Browser().post(path_of(link), answers).status_code == 302
    recorded = Response.objects.get(instrument="alliance_client")
    assert (recorded.tension, recorded.repair) == (1, 4)


def test_the_thank_you_page_leads_to_the_clients_own_progress(smtp_server: SmtpServer) -> None:
    appointment = session_booked()
    link = checkin_link(smtp_server, appointment)
    with after(appointment):
        done = Browser().post(path_of(link), all_answered(FIRST_SESSION, phq9_1=2))
        thanks = Browser().get(done["Location"]).content.decode()
        progress = thanks.split('<p class="progress-link"><a href="')[1].split('"')[0]
        page = Browser().get(progress)
    assert page.status_code == 200
    assert "Your first score was 2 (minimal)" in page.content.decode()


def test_answers_to_dead_links_are_limited_but_a_live_link_always_records(
    smtp_server: SmtpServer, settings: Settings
) -> None:
    settings.CHECKIN_RATE_LIMIT = "2/h"
    appointment = session_booked()
    link = checkin_link(smtp_server, appointment)
    prober = Browser(REMOTE_ADDR="198.51.100.7")
    with after(appointment):
        for token in ("made-up-one", "made-up-two"):
            assert prober.post(f"/checkin/{token}/", {"phq9_1": "0"}).status_code == 404
        refused = prober.post("/checkin/made-up-three/", {"phq9_1": "0"})
        assert refused.status_code == 429
        assert 1 <= int(refused["Retry-After"]) <= 3600
        assert "several times in a short while" in refused.content.decode()
        # The same address, over the limit, answering a live link: the answers (a risk one
        # among them) are recorded all the same.
        done = prober.post(path_of(link), all_answered(FIRST_SESSION, phq9_9=1))
    assert done.status_code == 302
    assert Response.objects.filter(instrument="phq9").count() == 1
    assert Alert.objects.get().kind == "risk"
    assert Browser(REMOTE_ADDR="203.0.113.20").post("/checkin/made-up-four/").status_code == 404
