"""Booking in a real browser: choose a time, get the e-mail and invitation, move it, cancel it;
and two people reaching for the same time at once."""

import re
from datetime import datetime, timedelta
from email.message import Message
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings

from alliance.booking.availability import therapist_slots
from alliance.booking.models import (
    Appointment,
    AppointmentFormat,
    AppointmentStatus,
    AppointmentType,
)
from alliance.outbox.sending import outbox_flush
from alliance.practice.models import Therapist, practice_zone
from alliance.scheduling.display import format_local
from tests.smtp import SmtpServer, message_parts

from .conftest import PageFactory, assert_accessible, screenshot

pytestmark = pytest.mark.e2e

THERAPIST = "marisol-vega"
MANAGE_LINK = re.compile(r"https?://\S+/appointments/manage/[^/\s]+/")
CANCEL_BUTTON = re.compile(r"^(Yes, cancel it|Cancel anyway)$")


def slot_start(href: str) -> datetime:
    """The instant a time link (or alternative's formaction) books: its `start` parameter."""
    (start,) = parse_qs(urlsplit(href).query)["start"]
    return datetime.fromisoformat(start)


def slot_hrefs(page: Page) -> list[str]:
    # A click that navigates returns once the new page commits, before its times are parsed;
    # `all()` does not wait, so on a slow machine it would read an empty list.
    page.wait_for_load_state()
    hrefs = [link.get_attribute("href") or "" for link in page.locator("a.slot").all()]
    assert hrefs, f"no free times on {page.url}"
    return hrefs


def first_free_time(page: Page) -> int:
    """Index of the first time link on the page, passing over one about to go stale.

    Times open up to `min_notice_hours` ahead; the first one shown can fall inside that notice a
    few seconds after the page loads (when it is 24 hours and a moment away). A person would get
    "not available" then; the test would flake. So: the first time still bookable a minute on.
    """
    notice = AppointmentType.objects.get(slug="consultation").min_notice_hours
    safe = timezone.now() + timedelta(hours=notice, minutes=1)
    for index, href in enumerate(slot_hrefs(page)):
        if slot_start(href) >= safe:
            return index
    raise AssertionError(f"no free time far enough ahead on {page.url}")


def format_label(start: datetime) -> str:
    """The "How would you like to meet?" choice that this time is offered in.

    The form lists every format the therapist offers, but each time is offered in only some of
    them (Marisol: in person Mon/Wed/Fri, by video Tue/Thu), so a visitor must choose the one
    that fits the day.
    """
    therapist = Therapist.objects.get(slug=THERAPIST)
    day = start.astimezone(practice_zone()).date()
    for slot in therapist_slots(
        therapist=therapist,
        appointment_type=AppointmentType.objects.get(slug="consultation"),
        first_day=day,
        last_day=day,
        now=timezone.now(),
    ):
        if slot.start == start:
            return AppointmentFormat(sorted(slot.formats)[0]).label
    raise AssertionError(f"{start.isoformat()} is not one of {THERAPIST}'s free times")


def fill_details(page: Page, name: str, email: str, start: datetime) -> None:
    page.get_by_role("textbox", name="Your name").fill(name)
    page.get_by_role("textbox", name="E-mail").fill(email)
    formats = page.get_by_role("group", name="How would you like to meet?").get_by_role("radio")
    if formats.count() > 1:
        page.get_by_role("radio", name=format_label(start), exact=True).check()
    page.get_by_label("You may contact me about this appointment by e-mail.").check()


def mail_with_subject(smtp_server: SmtpServer, prefix: str) -> Message:
    found = [m for m in smtp_server.messages if str(m["Subject"]).startswith(prefix)]
    subjects = [str(m["Subject"]) for m in smtp_server.messages]
    assert len(found) == 1, f"expected one {prefix!r} e-mail, got: {subjects}"
    return found[0]


def invitation(message: Message) -> tuple[icalendar.Component, icalendar.Component]:
    """The e-mail's calendar and its one event."""
    calendar = icalendar.Calendar.from_ical(message_parts(message)["text/calendar"])
    events = calendar.walk("VEVENT")
    assert len(events) == 1, calendar.to_ical().decode()
    return calendar, events[0]


def manage_link(message: Message) -> str:
    found = MANAGE_LINK.search(message_parts(message)["text/plain"])
    assert found, message_parts(message)["text/plain"]
    return found.group(0)


def test_a_visitor_books_reschedules_and_cancels_a_consultation(
    new_page: PageFactory, site: str, smtp_server: SmtpServer, settings: Settings
) -> None:
    settings.MAILERS = smtp_server.mailers()
    settings.SITE_URL = site
    email = "lena.booker@example.com"
    page = new_page(360)

    # From the profile to the week of free times.
    page.goto(f"/therapists/{THERAPIST}/")
    page.get_by_role("link", name="Book a free consultation").click()
    expect(page).to_have_url(re.compile(rf"/therapists/{THERAPIST}/book/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a free 15-minute consultation")
    # Each time's zone: in its day's heading, and in full in its accessible name.
    expect(page.locator("a.slot").first).to_have_text(re.compile(r"^\d{1,2}:\d\d [AP]M$"))
    expect(page.locator("a.slot").first).to_have_attribute(
        "aria-label", re.compile(r"^\w{3} \d{1,2} \w{3}, \d{1,2}:\d\d [AP]M E[SD]T$")
    )
    expect(page.locator(".day__date").first).to_contain_text(re.compile(r"E[SD]T"))
    assert_accessible(page)
    screenshot(page, "booking-week-360")

    # The first free time, and the visitor's details.
    index = first_free_time(page)
    start = slot_start(slot_hrefs(page)[index])
    when = format_local(start, practice_zone())
    page.locator("a.slot").nth(index).click()
    expect(page).to_have_url(
        re.compile(rf"/therapists/{THERAPIST}/book/confirm/\?type=consultation")
    )
    expect(page.locator(".summary__when")).to_have_text(when)
    fill_details(page, "Lena Booker", email, start)
    assert_accessible(page)
    screenshot(page, "booking-confirm-360")
    page.get_by_role("button", name=f"Book {when}").click()

    expect(page).to_have_url(re.compile(r"/appointments/booked/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    expect(page.locator(".summary__when")).to_have_text(when)
    assert_accessible(page)
    screenshot(page, "booking-done-360")
    appointment = Appointment.objects.get(client__email=email)
    assert appointment.therapist.slug == THERAPIST
    assert appointment.start == start
    assert appointment.status == AppointmentStatus.BOOKED

    # The confirmation: a manage link and an invitation for that very instant.
    outbox_flush()
    booked_mail = mail_with_subject(smtp_server, "Booked:")
    assert booked_mail["To"] == email
    link = manage_link(booked_mail)
    assert link.startswith(f"{site}/appointments/manage/")
    calendar, event = invitation(booked_mail)
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == f"{appointment.uuid}@alliance"
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == appointment.start

    # The link in the e-mail opens the appointment; move it to a later day.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your appointment")
    expect(page.locator(".summary__when")).to_have_text(when)
    page.get_by_role("link", name="Choose a new time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new time")
    first_day = start.astimezone(practice_zone()).date()
    for _ in range(4):
        later = [
            index
            for index, href in enumerate(slot_hrefs(page))
            if slot_start(href).astimezone(practice_zone()).date() > first_day
        ]
        if later:
            break
        next_week = page.get_by_role("link", name="Later →")
        address = next_week.get_attribute("href") or ""
        next_week.click()
        expect(page).to_have_url(re.compile(re.escape(address) + "$"))
    assert later, "no free time on a later day within four weeks"
    new_start = slot_start(slot_hrefs(page)[later[0]])
    new_when = format_local(new_start, practice_zone())
    page.locator("a.slot").nth(later[0]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Move your appointment?")
    page.get_by_role("button", name=f"Move it to {new_when}").click()
    expect(page.get_by_role("status")).to_contain_text("Your appointment has its new time.")
    expect(page.locator(".summary__when")).to_have_text(new_when)
    appointment.refresh_from_db()
    assert appointment.start == new_start
    assert appointment.status == AppointmentStatus.BOOKED

    outbox_flush()
    moved_mail = mail_with_subject(smtp_server, "New time:")
    calendar, event = invitation(moved_mail)
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == f"{appointment.uuid}@alliance"
    assert event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == new_start

    # Cancel through the link in the newest e-mail.
    page.goto(manage_link(moved_mail))
    page.get_by_role("link", name="Cancel the appointment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel your appointment?")
    expect(page.locator(".summary__when")).to_have_text(new_when)
    expect(page.locator(".policy")).to_contain_text("hours")
    assert_accessible(page)
    screenshot(page, "booking-cancel-360")
    page.get_by_role("button", name=CANCEL_BUTTON).click()
    expect(page.get_by_role("status")).to_contain_text("Your appointment is cancelled.")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED

    outbox_flush()
    cancelled_mail = mail_with_subject(smtp_server, "Cancelled:")
    calendar, event = invitation(cancelled_mail)
    assert calendar["METHOD"] == "CANCEL"
    assert str(event["UID"]) == f"{appointment.uuid}@alliance"
    assert event["SEQUENCE"] == 2


def test_the_second_visitor_for_a_time_sees_just_taken_with_alternatives(
    new_page: PageFactory,
) -> None:
    first, second = new_page(1280), new_page(360)
    emails = ("first.visitor@example.com", "second.visitor@example.com")

    # Both open the confirm page for the same time.
    first.goto(f"/therapists/{THERAPIST}/book/")
    index = first_free_time(first)
    href = slot_hrefs(first)[index]
    start = slot_start(href)
    when = format_local(start, practice_zone())
    first.locator("a.slot").nth(index).click()
    second.goto(href)
    fill_details(first, "Ada First", emails[0], start)
    fill_details(second, "Bea Second", emails[1], start)

    # The first to submit gets it.
    first.get_by_role("button", name=f"Book {when}").click()
    expect(first.get_by_role("heading", level=1)).to_have_text("You are booked")

    # The second is told, keeps what they typed, and is offered the next free times.
    second.get_by_role("button", name=f"Book {when}").click()
    expect(second.get_by_role("heading", name="That time was just taken")).to_be_visible()
    expect(second.get_by_role("alert")).to_contain_text("That time was just taken")
    expect(second.get_by_role("textbox", name="Your name")).to_have_value("Bea Second")
    expect(second.get_by_role("textbox", name="E-mail")).to_have_value(emails[1])
    expect(second.get_by_role("button", name=f"Book {when}")).to_have_count(0)
    alternatives = second.get_by_role("group", name="Choose another time").get_by_role("button")
    expect(alternatives.first).to_be_visible()
    assert 1 <= alternatives.count() <= 3
    assert_accessible(second)
    choice = alternatives.first
    choice_text = choice.inner_text()
    choice_start = slot_start(choice.get_attribute("formaction") or "")
    assert choice_text == f"Book {format_local(choice_start, practice_zone())}"
    assert choice_start > start
    choice.click()
    expect(second.get_by_role("heading", level=1)).to_have_text("You are booked")

    booked = Appointment.objects.filter(therapist__slug=THERAPIST, client__email__in=emails)
    assert booked.count() == 2
    assert {(a.client.email, a.client.name, a.start) for a in booked} == {
        (emails[0], "Ada First", start),
        (emails[1], "Bea Second", choice_start),
    }


def first_video_time(page: Page) -> int:
    """Index of the first time offered by video (Marisol: Tuesdays and Thursdays)."""
    for _ in range(3):
        safe = timezone.now() + timedelta(hours=24, minutes=1)
        for index, href in enumerate(slot_hrefs(page)):
            start = slot_start(href)
            if start >= safe and format_label(start) == AppointmentFormat.TELEHEALTH.label:
                return index
        page.get_by_role("link", name="Later →").click()
    raise AssertionError(f"no video time in three weeks on {page.url}")


def test_a_video_consultation_carries_its_join_link_in_the_email_invitation_and_page(
    new_page: PageFactory, site: str, smtp_server: SmtpServer, settings: Settings
) -> None:
    settings.MAILERS = smtp_server.mailers()
    settings.SITE_URL = site
    room = "https://video.example.org/sabal-marisol-vega"
    page = new_page(1280)
    page.goto(f"/therapists/{THERAPIST}/book/")
    index = first_video_time(page)
    start = slot_start(slot_hrefs(page)[index])
    page.locator("a.slot").nth(index).click()
    fill_details(page, "Vera Video", "vera.video@example.com", start)
    when = format_local(start, practice_zone())
    page.get_by_role("button", name=f"Book {when}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")

    outbox_flush()
    booked_mail = mail_with_subject(smtp_server, "Booked:")
    parts = message_parts(booked_mail)
    assert room in parts["text/plain"]
    assert f'href="{room}"' in parts["text/html"]
    assert "portal" not in (parts["text/plain"] + parts["text/html"]).lower()
    _, event = invitation(booked_mail)
    assert str(event["URL"]) == room
    assert room in str(event["LOCATION"])

    # The link in the e-mail opens the appointment, with the room one click away.
    for width in (1280, 360):
        phone = new_page(width)
        phone.goto(manage_link(booked_mail))
        join = phone.get_by_role("link", name="Join the video session")
        expect(join).to_have_attribute("href", room)
        assert_accessible(phone)
        screenshot(phone, f"booking-video-manage-{width}")
