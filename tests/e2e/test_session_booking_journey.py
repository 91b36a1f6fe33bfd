"""An existing client books a session on a phone: the page says the same whoever types an
address, and the booking is made only from the link e-mailed to the client's own address."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect
from pytest_django.fixtures import Settings

from alliance.booking.models import Appointment, AppointmentStatus, AppointmentType
from alliance.demo.checkins import DEMO_EMAIL
from tests.smtp import SmtpServer, message_parts

from .conftest import PageFactory, assert_accessible, screenshot
from .test_booking_journey import THERAPIST, slot_hrefs, slot_start

pytestmark = pytest.mark.e2e

CONFIRM_LINK = re.compile(r"https?://\S+/appointments/confirm/[^/\s]+/")


def test_a_client_books_a_session_from_the_link_in_their_email(
    new_page: PageFactory, site: str, smtp_server: SmtpServer, settings: Settings
) -> None:
    settings.MAILERS = smtp_server.mailers()
    settings.SITE_URL = site
    page = new_page(360)
    page.goto(f"/therapists/{THERAPIST}/")
    page.get_by_role("link", name=re.compile(r"^Book a .*session")).click()

    notice = AppointmentType.objects.get(slug="session").min_notice_hours
    safe = timezone.now() + timedelta(hours=notice, minutes=1)
    index = next(i for i, href in enumerate(slot_hrefs(page)) if slot_start(href) >= safe)
    page.locator("a.slot").nth(index).click()
    page.get_by_role("textbox", name="Your name").fill("Jamie Rivera")
    page.get_by_role("textbox", name="E-mail").fill(DEMO_EMAIL)
    formats = page.get_by_role("group", name="How would you like to meet?").get_by_role("radio")
    if formats.count() > 1:
        formats.first.check()
    page.get_by_label("You may contact me about this appointment by e-mail.").check()
    before = Appointment.objects.count()
    page.get_by_role("button", name=re.compile("^Book")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    assert Appointment.objects.count() == before  # nothing booked from the page alone
    assert_accessible(page)
    screenshot(page, "session-check-email-360")

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    # The worker also sends the demo's waiting check-in e-mails; this is the one asked for.
    [mail] = [m for m in smtp_server.messages if "Confirm your session" in str(m["Subject"])]
    assert mail["To"] == DEMO_EMAIL
    link = CONFIRM_LINK.search(message_parts(mail)["text/plain"])
    assert link is not None
    page.goto(link.group(0))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Confirm your"))
    assert_accessible(page)
    screenshot(page, "session-confirm-360")
    page.get_by_role("button", name=re.compile("^Confirm")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    assert_accessible(page)
    screenshot(page, "session-booked-360")
    booked = Appointment.objects.order_by("-created_at").first()
    assert booked is not None
    assert booked.status == AppointmentStatus.BOOKED
    assert booked.client is not None
    assert booked.client.email == DEMO_EMAIL
