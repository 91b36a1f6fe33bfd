"""Check-in and progress links work for their life and not a minute longer, on every page that
reads them; a used link opened later thanks the client without showing anything they said."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client as Browser
from pytest_django.fixtures import Settings

from alliance.booking.models import Appointment
from alliance.care.models import CheckinInvitation
from tests.care.fixtures import after, all_answered, checkin_link, path_of, session_booked
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db

FIRST_SESSION = ["alliance_client", "phq9", "gad7"]
RISK_WORDS = "thoughts of being better off dead"
MINUTE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _mail(smtp_server: SmtpServer, settings: Settings) -> None:
    settings.MAILERS = smtp_server.mailers()
    settings.SITE_URL = "https://practice.example"


def answered_with_risk(smtp_server: SmtpServer) -> tuple[Appointment, str, datetime]:
    """A session, its check-in answered with a risk answer; the link and when it expires."""
    appointment = session_booked()
    link = checkin_link(smtp_server, appointment)
    with after(appointment):
        done = Browser().post(path_of(link), all_answered(FIRST_SESSION, phq9_9=2))
    assert done.status_code == 302
    return appointment, path_of(link), CheckinInvitation.objects.get().expires_at


def assert_thanked_without_answers(page: str) -> None:
    assert "You have already answered this check-in" in page
    assert RISK_WORDS not in page
    assert "/progress/" not in page


def test_it_shows_the_thank_you_page_until_the_link_expires(smtp_server: SmtpServer) -> None:
    _, link, expires_at = answered_with_risk(smtp_server)
    with time_machine.travel(expires_at - MINUTE, tick=False):
        page = Browser().get(link + "thanks/")
    assert page.status_code == 200
    assert RISK_WORDS in page.content.decode()
    assert "/progress/" in page.content.decode()


def test_a_used_link_just_after_it_expires_thanks_without_the_answers(
    smtp_server: SmtpServer,
) -> None:
    _, link, expires_at = answered_with_risk(smtp_server)
    with time_machine.travel(expires_at + MINUTE, tick=False):
        thanks = Browser().get(link + "thanks/")
        opened = Browser().get(link, follow=True)
        renew = Browser().post(link + "new-link/", follow=True)
    assert thanks.status_code == 410
    for page in (thanks, opened, renew):
        assert_thanked_without_answers(page.content.decode())


def test_a_used_link_400_days_later_shows_nothing_the_client_said(
    smtp_server: SmtpServer,
) -> None:
    appointment, link, _ = answered_with_risk(smtp_server)
    with time_machine.travel(appointment.end + timedelta(days=400), tick=False):
        for page in (
            Browser().get(link + "thanks/"),
            Browser().get(link, follow=True),
            Browser().post(link + "new-link/", follow=True),
        ):
            assert page.status_code == 410
            html = page.content.decode()
            assert RISK_WORDS not in html
            assert "/progress/" not in html
            assert "This check-in link has expired" in html
            # It may have been answered: the page does not claim otherwise.
            assert "you simply haven't answered" not in html


def test_an_unused_link_works_until_it_expires_and_not_after(smtp_server: SmtpServer) -> None:
    appointment = session_booked()
    link = path_of(checkin_link(smtp_server, appointment))
    expires_at = CheckinInvitation.objects.get().expires_at
    with time_machine.travel(expires_at - MINUTE, tick=False):
        assert Browser().get(link).status_code == 200
        assert Browser().get(link + "thanks/")["Location"] == link
    with time_machine.travel(expires_at + MINUTE, tick=False):
        page = Browser().get(link)
        thanks = Browser().get(link + "thanks/")
    assert page.status_code == 410
    assert "This check-in link has expired" in page.content.decode()
    assert thanks.status_code == 410
    assert "This check-in link has expired" in thanks.content.decode()


def test_an_answer_posted_after_expiry_is_refused_and_nothing_recorded(
    smtp_server: SmtpServer,
) -> None:
    appointment = session_booked()
    link = path_of(checkin_link(smtp_server, appointment))
    expires_at = CheckinInvitation.objects.get().expires_at
    with time_machine.travel(expires_at + MINUTE, tick=False):
        page = Browser().post(link, all_answered(FIRST_SESSION))
    assert page.status_code == 410
    assert CheckinInvitation.objects.get().used_at is None


def progress_link(smtp_server: SmtpServer) -> tuple[str, datetime]:
    """The progress link on a thank-you page, and the moment it was made."""
    appointment = session_booked()
    link = path_of(checkin_link(smtp_server, appointment))
    # In UTC: "30 days" later is an instant, and in the practice's zone a clock change between
    # would make it an hour short or long.
    made = (appointment.end + timedelta(minutes=10)).astimezone(UTC)
    with time_machine.travel(made, tick=False):
        Browser().post(link, all_answered(FIRST_SESSION, phq9_1=2))
        thanks = Browser().get(link + "thanks/").content.decode()
    return thanks.split('<p class="progress-link"><a href="')[1].split('"')[0], made


def test_a_progress_link_works_for_30_days(smtp_server: SmtpServer) -> None:
    link, made = progress_link(smtp_server)
    with time_machine.travel(made + timedelta(days=30) - MINUTE, tick=False):
        page = Browser().get(link)
    assert page.status_code == 200
    assert "Your first score was 2 (minimal)" in page.content.decode()


def test_a_progress_link_is_refused_after_30_days(smtp_server: SmtpServer) -> None:
    link, made = progress_link(smtp_server)
    with time_machine.travel(made + timedelta(days=30) + MINUTE, tick=False):
        page = Browser().get(link)
    assert page.status_code == 404
    assert "This link has expired" in page.content.decode()
    assert "Your first score" not in page.content.decode()
