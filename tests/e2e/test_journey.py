"""The journeys that matter most, in a real browser: finding a therapist and asking for help."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from alliance.booking.models import ConsultationRequest

from .conftest import (
    PageFactory,
    assert_accessible,
    axe_violations,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.e2e

NO_CONTACT_ERROR = "Please give an e-mail address or a phone number so we can reach you."


def therapist_names(page: Page) -> list[str]:
    return sorted(page.locator("article.therapist-card h3 a").all_inner_texts())


def test_visitor_finds_a_spanish_speaking_therapist_and_requests_a_consultation_then_front_desk_sees_it(  # noqa: E501
    new_page: PageFactory,
) -> None:
    page = new_page(1280)

    # Home, then the directory, filtered to Spanish speakers who can start now.
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Our therapists").click()
    expect(page).to_have_url(re.compile(r"/therapists/$"))
    page.get_by_label("Accepting new clients now").check()
    page.get_by_label("Language", exact=True).select_option("spanish")
    page.get_by_role("button", name="Show therapists").click()
    expect(page.locator("#results-title")).to_have_text("2 therapists match your filters")
    assert therapist_names(page) == sorted(["Marisol Vega", "Andrés Calderón"])
    expect(page.locator("article.therapist-card", has_text="Jordan Reyes")).to_have_count(0)
    expect(page.get_by_label("Accepting new clients now")).to_be_checked()
    expect(page.get_by_label("Language", exact=True)).to_have_value("spanish")
    assert_accessible(page)

    # Marisol's profile, and from it the consultation form with her already chosen.
    page.get_by_role("link", name="Marisol Vega").click()
    expect(page).to_have_url(re.compile(r"/therapists/marisol-vega/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Marisol Vega")
    assert_accessible(page)
    page.get_by_role("main").get_by_role("link", name="Or ask us to call you").click()
    expect(page).to_have_url(re.compile(r"/consultation/\?therapist=marisol-vega$"))
    therapist = page.get_by_label("Who would you like to talk with?")
    expect(therapist).to_have_value("marisol-vega")

    # Forgetting both ways to reach us: told so, and nothing typed is lost.
    message = "Me gustaría hablar sobre la ansiedad. Evenings are best."
    page.get_by_label("Your name").fill("Ana Prueba")
    page.get_by_label("What brings you here?").fill(message)
    page.get_by_label("You may contact me about this request").check()
    page.get_by_role("button", name="Send my request").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_contain_text(NO_CONTACT_ERROR)
    expect(page.locator(".field__errors").first).to_contain_text(NO_CONTACT_ERROR)
    expect(page.get_by_label("Your name")).to_have_value("Ana Prueba")
    expect(page.get_by_label("What brings you here?")).to_have_value(message)
    expect(therapist).to_have_value("marisol-vega")
    expect(page.get_by_label("You may contact me about this request")).to_be_checked()
    assert_accessible(page)

    # Adding an e-mail address sends it.
    page.get_by_role("textbox", name="E-mail").fill("ana.prueba@example.com")
    page.get_by_role("button", name="Send my request").click()
    expect(page).to_have_url(re.compile(r"/consultation/thanks/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you. We have your request.")
    assert_accessible(page)
    assert ConsultationRequest.objects.filter(name="Ana Prueba").count() == 1

    # The front desk, in a browser of their own, finds it in the inbox.
    desk = new_page(1280)
    sign_in(desk)
    desk.get_by_role("navigation", name="Main").get_by_role("link", name="Requests").click()
    expect(desk).to_have_url(re.compile(r"/staff/requests/$"))
    current_tab = desk.get_by_role("navigation", name="Request status").locator(
        "[aria-current=page]"
    )
    expect(current_tab).to_contain_text("New")
    row = desk.get_by_role("row").filter(has_text="Ana Prueba")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Marisol Vega")
    assert_accessible(desk)
    row.get_by_role("link", name="Ana Prueba").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Request from Ana Prueba")
    expect(desk.get_by_role("link", name="ana.prueba@example.com")).to_be_visible()
    assert_accessible(desk)


# The demo's sessions fall in the coming fortnight: show the schedule a few days ahead.
SOON = (date.today() + timedelta(days=7)).isoformat()
SCREENSHOT_PAGES = [
    ("home", "/"),
    ("directory", "/therapists/"),
    ("profile", "/therapists/marisol-vega/"),
    ("consultation", "/consultation/"),
    ("booking-week", "/therapists/marisol-vega/book/"),
    ("waitlist", "/therapists/jordan-reyes/waitlist/"),
    ("inbox", "/staff/requests/?status=all"),
    ("schedule", f"/staff/schedule/?therapist=tom-brennan&view=week&date={SOON}"),
    ("book-for-client", "/staff/appointments/new/"),
]


def test_screenshots(new_page: PageFactory) -> None:
    """Every main page at desktop and phone width: a picture, axe, and no sideways scrolling.

    Problems are collected across all pages so one run shows them all (and every picture is
    still taken), then reported together.
    """
    problems: list[str] = []
    for width in (1280, 360):
        page = new_page(width)
        signed_in = False
        for name, address in SCREENSHOT_PAGES:
            if address.startswith("/staff/") and not signed_in:
                sign_in(page)
                signed_in = True
            page.goto(address)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            assert page.url.endswith(address), f"{address} ended up at {page.url}"
            screenshot(page, f"{name}-{width}")
            problems += [f"{width}px {problem}" for problem in axe_violations(page)]
            if width == 360 and not page.evaluate(
                "document.documentElement.scrollWidth <= window.innerWidth"
            ):
                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                problems.append(
                    f"360px {page.url}: scrolls sideways (document is {scroll_width}px wide)"
                )
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)
