"""The front desk's day: find a client by typing part of a name, book them into a free time on
the practice's day; and a therapist's own day at the top of their home page."""

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from alliance.booking.appointments import appointment_book
from alliance.booking.models import Appointment, AppointmentType, WorkingHours
from alliance.clients.models import Client
from alliance.practice.models import Therapist, practice_zone

from .conftest import PageFactory, assert_accessible, screenshot, sign_in

pytestmark = pytest.mark.e2e

MARISOL = "marisol-vega"


def fits_the_screen(page: Page) -> bool:
    """No sideways scrolling: the page is no wider than the window."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def next_working_day(therapist: Therapist) -> date:
    """The first day from tomorrow on that the therapist works: every free time there is ahead."""
    weekdays = set(
        WorkingHours.objects.filter(therapist=therapist).values_list("weekday", flat=True)
    )
    day = timezone.now().astimezone(practice_zone()).date() + timedelta(days=1)
    while day.weekday() not in weekdays:
        day += timedelta(days=1)
    return day


@pytest.mark.parametrize("width", [360, 1280])
def test_the_front_desk_finds_a_client_and_books_from_the_practice_day(
    new_page: PageFactory, site: str, width: int
) -> None:
    marisol = Therapist.objects.get(slug=MARISOL)
    Client.objects.create(
        name="Lucía Fernández",
        email="lucia.fernandez@example.com",
        phone="(239) 555-0127",
        therapist=marisol,
    )
    second = Client.objects.create(
        name="Lucía Fernández", email="lf1990@mail.test", phone="(239) 555-0190", therapist=marisol
    )
    day = next_working_day(marisol)
    page = new_page(width)
    sign_in(page)
    expect(page.get_by_role("heading", name="The practice today")).to_be_visible()
    assert_accessible(page)
    assert fits_the_screen(page)
    screenshot(page, f"frontdesk-today-{width}")

    page.get_by_role("link", name="Day", exact=True).click()
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_role("button", name="Show", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{day:%B} {day.year}")
    if width == 360:
        # A phone shows one therapist at a time; the switcher works without scripts.
        page.get_by_label("Therapist").select_option(MARISOL)
        page.locator(".daygrid-switch").get_by_role("button", name="Show").click()
        expect(page.get_by_role("columnheader", name="Marisol Vega")).to_be_visible()
        assert page.get_by_role("columnheader").count() == 2  # the times and Marisol
    assert_accessible(page)
    assert fits_the_screen(page)
    screenshot(page, f"practice-day-{width}")
    page.get_by_label("Show", exact=True).select_option("week")
    page.get_by_role("button", name="Show", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Week of")
    assert_accessible(page)
    assert fits_the_screen(page)
    screenshot(page, f"practice-week-{width}")
    page.go_back()

    free = page.get_by_role("link", name=re.compile(r"book Marisol Vega at \d")).first
    href = free.get_attribute("href") or ""
    chosen = re.search(r"start_time=(\d\d):(\d\d)", href)
    assert chosen is not None
    free.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book an appointment")
    expect(page.get_by_label("Date")).to_have_value(day.isoformat())

    page.get_by_label("Type").select_option(label="Session")
    page.get_by_label("Find a client").fill("lucia")
    page.get_by_role("button", name="Find", exact=True).click()
    choice = page.get_by_role("radio", name=re.compile(r"Lucía Fernández.*phone ends 0190"))
    expect(choice).to_have_count(1)
    expect(page.get_by_role("radio", name=re.compile(r"Lucía Fernández"))).to_have_count(2)
    choice.check()
    assert_accessible(page)
    assert fits_the_screen(page)
    screenshot(page, f"book-found-client-{width}")
    page.get_by_role("button", name="Book", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Session with Lucía Fernández")
    booked = Appointment.objects.order_by("-created_at").first()
    assert booked is not None
    assert booked.client == second
    assert booked.therapist == marisol
    local = booked.start.astimezone(practice_zone())
    assert (local.date(), local.hour, local.minute) == (
        day,
        int(chosen.group(1)),
        int(chosen.group(2)),
    )


def test_the_client_search_tells_two_lucias_apart(new_page: PageFactory, site: str) -> None:
    marisol = Therapist.objects.get(slug=MARISOL)
    for email, phone in (("lucia.fernandez@example.com", "0127"), ("lf1990@mail.test", "0190")):
        Client.objects.create(
            name="Lucía Fernández", email=email, phone=f"(239) 555-{phone}", therapist=marisol
        )
    for width in (360, 1280):
        page = new_page(width)
        sign_in(page)
        page.get_by_role("link", name="Find a client").click()
        page.get_by_label("Name, e-mail or phone").fill("LUCIA")
        page.get_by_role("button", name="Find").click()
        expect(page.get_by_role("heading", level=2, name="Lucía Fernández")).to_have_count(2)
        expect(page.get_by_text("l•••@mail.test · phone ends 0190")).to_be_visible()
        assert_accessible(page)
        assert fits_the_screen(page)
        screenshot(page, f"client-search-{width}")


def marisols_day(new_page: PageFactory, width: int) -> tuple[Page, float]:
    """Marisol signed in with a session now on her day: the page, and where that row ends."""
    marisol = Therapist.objects.get(slug=MARISOL)
    zone = practice_zone()
    now = timezone.now().astimezone(zone)
    appointment_book(
        therapist=marisol,
        appointment_type=AppointmentType.objects.get(slug="session"),
        client=Client.objects.create(name="Noor Haddad", therapist=marisol),
        start=datetime.combine(now.date(), time(now.hour), zone),
        format="telehealth",
        within_availability=False,
    )
    page = new_page(width)
    sign_in(page, "marisol@sabal.test")
    expect(page.get_by_role("heading", name="Your day")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Noor Haddad"))
    expect(row).to_be_visible()
    box = row.bounding_box()
    assert box is not None
    tiles = page.locator(".grid").bounding_box()
    assert tiles is not None
    assert box["y"] < tiles["y"]
    assert_accessible(page)
    assert fits_the_screen(page)
    return page, box["y"] + box["height"]


@pytest.mark.parametrize("width", [360, 1280])
def test_a_therapists_day_is_above_the_fold(new_page: PageFactory, site: str, width: int) -> None:
    page, row_end = marisols_day(new_page, width)
    assert row_end <= page.viewport_size["height"]  # type: ignore[index]
    screenshot(page, f"therapist-today-{width}")


@pytest.mark.with_history
@pytest.mark.parametrize("width", [360, 1280])
def test_with_alerts_open_the_day_still_starts_above_the_fold_under_their_counts(
    new_page: PageFactory, site: str, width: int
) -> None:
    """The demo's year of check-ins leaves Marisol a risk alert and others open: the risk is
    named, the rest are counted, and her day still begins on the first screen."""
    page, _ = marisols_day(new_page, width)
    band = page.get_by_role("region", name="Needs your attention today")
    expect(band.locator(".alerts__list li")).to_have_count(1)
    expect(band.locator(".alerts__list")).to_contain_text("Risk")
    expect(band.locator(".alerts__count").first).to_be_visible()
    screenshot(page, f"therapist-today-alerts-{width}")
    day = page.get_by_role("heading", name="Your day").bounding_box()
    assert day is not None
    assert day["y"] + day["height"] <= page.viewport_size["height"]  # type: ignore[index]
