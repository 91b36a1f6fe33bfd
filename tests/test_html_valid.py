"""Valid HTML, checked by a validator nobody here wrote (the Nu HTML checker, tests/nu.py), on the
demo practice: every page a visitor, a client and each staff role reaches by following links, the
pages a client opens from an e-mail, and every e-mail the practice sends."""

import io
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit
from uuid import uuid4

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from alliance.accounts.models import User
from alliance.booking.appointments import appointment_cancel
from alliance.booking.messages import message_queue, messages_schedule, messages_schedule_new_link
from alliance.booking.models import Appointment, AppointmentStatus, ConsultationRequest, MessageKind
from alliance.booking.tokens import manage_token_make
from alliance.booking.waitlist import waitlist_join
from alliance.care.checkins import checkin_token_make
from alliance.care.models import CheckinInvitation
from alliance.care.progress import progress_token_make
from alliance.outbox.sending import outbox_flush
from tests.nu import html_errors

pytestmark = pytest.mark.django_db

# Routes not followed: they sign out, download a file, or are not pages.
NOT_PAGES = {
    "account_logout",
    "care:client_export",
    "booking:calendar_feed",
    "practice:therapist_photo",
}
# How many addresses of one route are checked: the second catches what differs per object.
PER_ROUTE = 2


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        href = attributes.get("href")
        if tag == "a" and href and "download" not in attributes:
            self.found.append(href)


def crawl(browser: Client, *starts: str) -> dict[str, str]:
    """Follow same-site links from `starts`: each HTML page's address and content."""
    pages: dict[str, str] = {}
    seen_per_route: dict[str, int] = {}
    queue = list(starts)
    while queue:
        address = urldefrag(queue.pop(0)).url
        parts = urlsplit(address)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or address in pages:
            continue
        if parts.path.startswith("/admin/"):
            continue  # Django's own admin, which the journeys do not use
        try:
            route = resolve(parts.path).view_name
        except Resolver404:
            continue
        if route in NOT_PAGES or seen_per_route.get(route, 0) >= PER_ROUTE:
            continue
        response = browser.get(address)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        seen_per_route[route] = seen_per_route.get(route, 0) + 1
        pages[address] = html = response.content.decode()
        links = _Links()
        links.feed(html)
        queue.extend(links.found)
    return pages


@pytest.fixture
def demo() -> None:
    call_command("load_demo", without_history=True, stdout=io.StringIO())


def signed_in_as(email: str) -> Client:
    browser = Client()
    browser.force_login(User.objects.get(email=email))
    return browser


def assert_valid(pages: dict[str, str]) -> None:
    errors = html_errors(pages)
    assert errors == [], "\n".join(errors)


def test_the_checker_finds_what_it_should() -> None:
    bad = '<!doctype html><html lang="en"><title>x</title><a href="tel:(239) 555-0142">x</a>'
    assert html_errors({"bad": bad}) != []
    good = '<!doctype html><html lang="en"><title>x</title><a href="tel:+12395550142">x</a>'
    assert html_errors({"good": good}) == []


def test_every_public_page_is_valid_html(demo: None) -> None:
    pages = crawl(Client(), "/", "/accounts/login/", "/no-such-page/")
    assert len(pages) >= 8, sorted(pages)
    assert_valid(pages)


def test_every_page_a_client_opens_from_an_email_is_valid_html(demo: None) -> None:
    appointment = Appointment.objects.filter(status=AppointmentStatus.BOOKED).first()
    assert appointment is not None
    invitation = CheckinInvitation.objects.first()
    assert invitation is not None, "the demo has no check-in to open"
    starts = [
        reverse("booking:manage", args=[manage_token_make(appointment)]),
        reverse("care:checkin", args=[checkin_token_make(invitation)]),
        reverse("care:progress", args=[progress_token_make(invitation.appointment.client)]),
    ]
    pages = crawl(Client(), *starts)
    assert_valid(pages)


@pytest.mark.parametrize(
    "email", ["owner@sabal.test", "frontdesk@sabal.test", "marisol@sabal.test"]
)
def test_every_staff_page_is_valid_html(demo: None, email: str) -> None:
    pages = crawl(signed_in_as(email), "/staff/", "/staff/clients/find/?q=a")
    assert len(pages) >= 5, sorted(pages)
    assert_valid(pages)


def test_every_email_the_practice_sends_is_valid_html(demo: None) -> None:
    now = timezone.now()
    # The two furthest ahead, so each has its reminders still to send, with addresses to send to.
    kept, cancelled = Appointment.objects.filter(
        status=AppointmentStatus.BOOKED, start__gt=now
    ).order_by("-start")[:2]
    for appointment in (kept, cancelled):
        appointment.client.email = f"client-{appointment.pk}@example.com"
        appointment.client.save()
    # A confirmation, a new time, the reminders, the check-in and a new manage link for one
    # appointment; a waitlist entry offered the other's time when it is cancelled; the front
    # desk's notice of a request. Each is sent when it falls due: now, before the session (the
    # reminders) and after it (the check-in).
    messages_schedule(appointment=kept, now=now, confirmation=True, rescheduled=True)
    messages_schedule_new_link(appointment=kept, now=now)
    waitlist_join(
        therapist=cancelled.therapist,
        appointment_type=cancelled.appointment_type,
        name="Wren Waiting",
        email="wren@example.com",
        phone="",
        submission_token=uuid4(),
        now=now,
    )
    appointment_cancel(appointment=cancelled)
    message_queue(
        kind=MessageKind.REQUEST_NOTICE,
        now=now,
        consultation_request=ConsultationRequest.objects.first(),
    )
    for moment in (
        timezone.now(),
        kept.start - timedelta(hours=2),
        kept.end + timedelta(minutes=1),
    ):
        outbox_flush(now=moment, limit=2000)
    documents: dict[str, str] = {}
    for message in mail.outbox:
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                documents.setdefault(str(message.subject), str(content))
    starts = (
        "Booked:",
        "New time:",
        "Reminder:",
        "Cancelled:",
        "New link:",
        "A time opened with",
        "How was your session?",
        "New consultation request",
    )
    missing = [start for start in starts if not any(map(str.startswith, documents, [start] * 99))]
    assert missing == [], sorted(documents)
    assert_valid(documents)
