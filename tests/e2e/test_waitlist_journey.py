"""A waitlist in a real browser: join, join again by mistake, and leave from the e-mailed link
with scripts turned off."""

import re

import pytest
from playwright.sync_api import expect
from pytest_django.fixtures import Settings

from alliance.booking.models import WaitlistEntry, WaitlistStatus
from alliance.outbox.sending import outbox_flush
from tests.smtp import SmtpServer, message_parts

from .conftest import PageFactory, assert_accessible

pytestmark = pytest.mark.e2e

LEAVE_LINK = re.compile(r"https?://\S+/waitlist/leave/[^/\s]+/")


def test_a_visitor_joins_a_waitlist_once_and_leaves_it(
    new_page: PageFactory, site: str, smtp_server: SmtpServer, settings: Settings
) -> None:
    settings.MAILERS = smtp_server.mailers()
    settings.SITE_URL = site
    page = new_page(360)
    for email in ("noor.waiting@example.com", "Noor.Waiting@example.com"):
        page.goto("/therapists/jordan-reyes/waitlist/")
        page.get_by_role("textbox", name="Your name").fill("Noor")
        page.get_by_role("textbox", name="E-mail").fill(email)
        page.get_by_label("You may e-mail me when a time opens.").check()
        page.get_by_role("button", name="Join the waitlist").click()
    # The second time reads as the first: the page does not tell who is on the list.
    expect(page.get_by_role("heading", level=1)).to_have_text("You are on Jordan's waitlist")
    assert_accessible(page)
    assert WaitlistEntry.objects.filter(email__iexact="noor.waiting@example.com").count() == 1

    outbox_flush()
    [confirmation] = [m for m in smtp_server.messages if m["To"] == "noor.waiting@example.com"]
    found = LEAVE_LINK.search(message_parts(confirmation)["text/plain"])
    assert found is not None

    link = found.group(0)
    page.goto(link)  # a GET leaves nothing
    expect(page.get_by_role("heading", level=1)).to_have_text("Leave Jordan's waitlist?")
    assert_accessible(page)

    no_scripts = new_page(360, java_script_enabled=False)
    no_scripts.goto(link)
    no_scripts.get_by_role("button", name="Leave the waitlist").click()
    expect(no_scripts.get_by_role("heading", level=1)).to_have_text(
        "You have left Jordan's waitlist"
    )
    entry = WaitlistEntry.objects.get(email__iexact="noor.waiting@example.com")
    assert entry.status == WaitlistStatus.WITHDRAWN
    page.goto(link)  # axe needs scripts: the page as left, seen again
    expect(page.get_by_role("heading", level=1)).to_have_text("You have left Jordan's waitlist")
    assert_accessible(page)
