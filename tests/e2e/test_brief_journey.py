"""The therapist's pre-session brief, in a real browser, on the demo practice's twelve months of
check-ins: the caseload puts the client most in need first, each brief opens with its alerts and
why they were raised, the charts carry their markers, an alert is acknowledged and then resolved
with what the therapist did, the brief prints on two pages without its forms, and the client's
own progress page reads calmly on a phone.

The demo therapist's caseload holds one client of each signal kind (alliance.demo.history):
Ava Abbott has the open risk alert, Ben Baptiste the unrepaired rupture.
"""

import re

import pytest
from django.db.models import Count
from playwright.sync_api import Locator, Page, expect

from alliance.care.models import Alert, AlertAction, AlertKind, AlertState
from alliance.care.progress import progress_token_make
from alliance.clients.models import Client

from .conftest import (
    REPO_ROOT,
    VIEWPORTS,
    PageFactory,
    above,
    assert_accessible,
    screenshot,
    sign_in,
)

pytestmark = [pytest.mark.e2e, pytest.mark.with_history]

THERAPIST_EMAIL = "marisol@sabal.test"
THERAPIST_NAME = "Marisol Vega"
RISK_CLIENT = "Ava Abbott"
RUPTURE_CLIENT = "Ben Baptiste"
NOTHING_OPEN = "Nothing open"
NEEDS = {kind: label for kind, label in AlertKind.choices}
TALKED_THROUGH = dict(AlertAction.choices)[AlertAction.TALKED_THROUGH]


def check_widths(page: Page, name: str, *shots: int) -> None:
    """No axe violations at 1280 and 360 px, no sideways scrolling on the phone, and a
    screenshot `<name>-<width>` at each width in `shots`; the page is left at the width it had."""
    before = page.viewport_size
    for width in (1280, 360):
        page.set_viewport_size(VIEWPORTS[width])
        assert_accessible(page)
        if width == 360:
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= 360, f"{page.url} scrolls sideways at 360 px: {scroll_width}"
        if width in shots:
            screenshot(page, f"{name}-{width}")
    if before is not None:
        page.set_viewport_size(before)


def open_caseload(page: Page) -> Locator:
    """Go to "Clients" from the main navigation; the caseload's rows."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    expect(page).to_have_url(re.compile(r"/staff/clients/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Clients")
    return page.locator("table.caseload tbody tr")


def needs_by_client(rows: Locator) -> list[tuple[str, str]]:
    """(client, what the "Needs" column says first) for each row, top to bottom."""
    found = []
    for row in rows.all():
        name = row.locator('td[data-label="Client"]').inner_text().strip()
        needs = row.locator('td[data-label="Needs"]')
        badge = needs.locator(".badge")
        found.append((name, badge.inner_text() if badge.count() else needs.inner_text().strip()))
    return found


def open_brief(page: Page, client: str) -> None:
    page.get_by_role("link", name=client, exact=True).click()
    expect(page).to_have_url(re.compile(r"/staff/clients/[0-9a-f-]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(client)


def chart(page: Page, title: str) -> Locator:
    """The chart (an SVG image) whose accessible name starts with `title`."""
    return page.get_by_role("img", name=re.compile("^" + re.escape(title)))


def marker_titles(svg: Locator, kind: str) -> list[str]:
    return svg.locator(f"use.chart__marker--{kind} > title").all_text_contents()


def test_the_caseload_puts_risk_first_and_each_brief_opens_with_its_alerts_and_marked_charts(
    new_page: PageFactory,
) -> None:
    page = new_page(1280)
    sign_in(page, THERAPIST_EMAIL)

    # The caseload: risk first, then the other needs, and only then "Nothing open".
    rows = open_caseload(page)
    needs = needs_by_client(rows)
    assert needs[0] == (RISK_CLIENT, NEEDS[AlertKind.RISK]), needs[:3]
    said = [need for _, need in needs]
    calm = said.index(NOTHING_OPEN)
    ordered = (AlertKind.RISK, AlertKind.UNREPAIRED_RUPTURE, AlertKind.DISAGREEMENT)
    urgency = [said.index(NEEDS[kind]) for kind in (*ordered, AlertKind.NOT_ON_TRACK)]
    assert urgency == sorted(urgency), needs
    assert max(urgency) < calm, needs
    assert set(said[calm:]) == {NOTHING_OPEN}, needs
    check_widths(page, "caseload", 1280, 360)

    # The risk client's brief: alerts first, each saying why and what the research suggests.
    open_brief(page, RISK_CLIENT)
    alerts = page.get_by_role("region", name="Alerts")
    articles = alerts.get_by_role("article")
    expect(articles.first.get_by_role("heading", level=3)).to_contain_text(NEEDS[AlertKind.RISK])
    for article in articles.all():
        expect(article.locator(".alert__why li").first).to_be_visible()
        expect(article).to_contain_text("What the research suggests:")
    expect(articles.first.locator(".alert__why")).to_contain_text(
        re.compile(
            r'[Ii]tem 9 of the PHQ-9 .* was answered "(Several days|More than half the days|'
            r'Nearly every day)"'
        )
    )
    assert above(page, "#alerts", "#charts-title")

    # The charts are images with names, and the PHQ-9 one marks the risk answer.
    phq9 = chart(page, "PHQ-9 by session")
    expect(phq9).to_be_visible()
    expect(chart(page, "The alliance, session by session")).to_be_visible()
    risk_marks = marker_titles(phq9, "risk")
    assert risk_marks, "no risk marker on the PHQ-9 chart"
    assert all(title.startswith("Risk answer, session ") for title in risk_marks), risk_marks

    # "The numbers" opens a table of the PHQ-9 chart's scores.
    figure = page.locator("figure.chart-figure", has=phq9)
    table = figure.get_by_role("table")
    expect(table).to_be_hidden()
    figure.get_by_text("The numbers", exact=True).click()
    expect(table).to_be_visible()
    expect(table.get_by_role("columnheader")).to_have_text(
        ["Session", "Date", "Score", "Band", "Expected"]
    )
    assert table.locator("tbody tr").count() >= 3
    check_widths(page, "brief-risk", 1280, 360)

    # Printed: no forms, no site header, the charts still there.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    for form in page.locator("form.alert__form").all():
        expect(form).to_be_hidden()
    expect(page.get_by_role("region", name="Measurement plan")).to_be_hidden()
    expect(phq9).to_be_visible()
    expect(chart(page, "The alliance, session by session")).to_be_visible()
    expect(alerts.get_by_role("article").first).to_be_visible()
    # The paper is the summary: the full record (every response, the charts' numbers) stays on
    # the screen, so a long course still prints on two pages.
    for record in page.locator(".series__all, .chart-figure__numbers").all():
        expect(record).to_be_hidden()
    screenshot(page, "brief-print-1280")
    page.emulate_media(media="screen")

    # The unrepaired-rupture client's brief: the rupture is marked on the alliance chart.
    open_caseload(page)
    open_brief(page, RUPTURE_CLIENT)
    expect(page.get_by_role("region", name="Alerts").get_by_role("article").first).to_contain_text(
        NEEDS[AlertKind.UNREPAIRED_RUPTURE]
    )
    alliance = chart(page, "The alliance, session by session")
    ruptures = marker_titles(alliance, "rupture")
    assert ruptures, "no rupture marker on the alliance chart"
    assert all(title.startswith("Rupture, session ") for title in ruptures), ruptures
    # A repair beside the unrepaired rupture says which rupture it repairs.
    repairs = marker_titles(alliance, "repair")
    assert all(
        re.search(r"^Repair, session \d+: of the rupture at session \d+$", t) for t in repairs
    ), repairs
    check_widths(page, "brief-rupture", 1280)


def test_the_therapist_acknowledges_an_alert_then_resolves_it_with_what_she_did(
    new_page: PageFactory,
) -> None:
    alert = Alert.objects.get(
        client__name=RUPTURE_CLIENT, kind=AlertKind.UNREPAIRED_RUPTURE, state=AlertState.OPEN
    )
    page = new_page(360)
    sign_in(page, THERAPIST_EMAIL)
    open_caseload(page)
    open_brief(page, RUPTURE_CLIENT)
    article = page.locator(f"#alert-{alert.uuid}")
    expect(article.get_by_role("heading", level=3)).to_have_text(
        f"{NEEDS[AlertKind.UNREPAIRED_RUPTURE]} Open"
    )

    # Acknowledged: still on the brief, now saying so, with who did it in its record.
    article.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("status")).to_have_text("Alert acknowledged.")
    expect(article.get_by_role("heading", level=3)).to_have_text(
        f"{NEEDS[AlertKind.UNREPAIRED_RUPTURE]} Acknowledged"
    )
    expect(article.get_by_role("button", name="Acknowledge")).to_have_count(0)
    article.get_by_text("Record (2)").click()
    expect(article.locator(".alert__history li").last).to_contain_text(
        f"Acknowledged by {THERAPIST_NAME}"
    )

    # Resolving without saying what she did is refused, and nothing changes.
    article.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("status")).to_have_text(
        "Say what you did before resolving the alert. Nothing was changed."
    )
    alert.refresh_from_db()
    assert alert.state == AlertState.ACKNOWLEDGED

    # Resolved with what she did: it moves to "Past alerts" with her name and her note.
    note = "Named the missed session openly; we agreed to check in on it next time."
    article.get_by_label("What did you do?").select_option(label=TALKED_THROUGH)
    article.get_by_label(re.compile("^Note")).fill(note)
    article.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("status")).to_have_text("Alert resolved.")
    expect(article).to_have_count(0)
    past = (
        page.get_by_role("region", name="Past alerts")
        .get_by_role("listitem")
        .filter(has_text=NEEDS[AlertKind.UNREPAIRED_RUPTURE])
    )
    expect(past).to_contain_text(f"by {THERAPIST_NAME}: {TALKED_THROUGH.lower()}")
    expect(past).to_contain_text(note)

    # The alert's record holds each step, with who and what.
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED
    steps = [(e.state, e.by.email if e.by else None, e.action, e.note) for e in alert.events.all()]
    assert steps == [
        (AlertState.OPEN, None, "", ""),
        (AlertState.ACKNOWLEDGED, THERAPIST_EMAIL, "", ""),
        (AlertState.RESOLVED, THERAPIST_EMAIL, AlertAction.TALKED_THROUGH, note),
    ]

    # The caseload no longer lists that need; what stays is the tension the client reported
    # again the session after the fall, itself not talked through.
    needs = dict(needs_by_client(open_caseload(page)))
    assert needs[RUPTURE_CLIENT] == NEEDS[AlertKind.RUPTURE]
    assert NEEDS[AlertKind.UNREPAIRED_RUPTURE] not in needs.values()


def test_the_client_sees_their_progress_in_plain_words_on_a_phone(
    new_page: PageFactory,
) -> None:
    client = Client.objects.get(name=RISK_CLIENT)
    page = new_page(360)
    page.goto(f"/progress/{progress_token_make(client)}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your progress")
    expect(page.get_by_role("heading", level=2)).to_have_text(
        ["Low mood and interest", "Worry and nerves", "How you see yourself"]
    )
    mood = chart(page, "Low mood and interest")
    expect(mood).to_be_visible()
    box = mood.bounding_box()
    assert box is not None
    assert box["width"] >= 300, f"the chart is only {box['width']} px wide on a phone"

    # Nothing meant for the therapist: no alerts, no ratings of the relationship.
    main = page.get_by_role("main").inner_text()
    for word in ("alliance", "rupture", "alert", "not on track"):
        assert word not in main.lower(), word
    expect(page.get_by_role("main").get_by_role("link", name="988")).to_have_attribute(
        "href", "tel:988"
    )
    check_widths(page, "progress", 360)


def css_text(value: str) -> str:
    """A CSS string token as the reader sees it: hex escapes decoded."""
    return re.sub(r"\\([0-9a-fA-F]{1,6}) ?", lambda found: chr(int(found[1], 16)), value)


def pdf_pages(pdf: bytes) -> int:
    """Pages in a PDF as Chromium writes it: one `/Type /Page` object each (not `/Pages`)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_the_brief_of_a_long_course_prints_on_two_pages_with_a_confidentiality_footer(
    new_page: PageFactory,
) -> None:
    """The therapist's longest course, and the risk client with their alerts, each fit on two
    US Letter pages, and every page says it is confidential, whose it is and when and by whom
    it was printed."""
    pk, sessions = (
        Client.objects.filter(therapist__name=THERAPIST_NAME)
        .annotate(sessions=Count("episodes__sessions"))
        .order_by("-sessions")
        .values_list("pk", "sessions")[0]
    )
    assert sessions >= 12, "no demo client has twelve sessions"
    longest = Client.objects.get(pk=pk)
    page = new_page(1280)
    sign_in(page, THERAPIST_EMAIL)
    for client in (longest, Client.objects.get(name=RISK_CLIENT)):
        page.goto(f"/staff/clients/{client.uuid}/")
        page.emulate_media(media="print")
        pdf = page.pdf(format="Letter", print_background=True)
        (REPO_ROOT / "test-artifacts").mkdir(exist_ok=True)
        (REPO_ROOT / "test-artifacts" / f"brief-print-{client.pk}.pdf").write_bytes(pdf)
        assert pdf_pages(pdf) <= 2, f"{client.name}'s brief prints on {pdf_pages(pdf)} pages"
        # The footer, read where the @page rules read it for the bottom margin of every page.
        root = page.locator("html")
        whose, when = (
            css_text(root.evaluate(f"e => getComputedStyle(e).getPropertyValue('{name}')"))
            for name in ("--print-whose", "--print-when")
        )
        assert whose == (
            f'"Confidential: the clinical record of {client.name}, Sabal Palm Counseling Group. '
            'Keep it private; shred it after use."'
        )
        printed = r"\w{3} \d{1,2} \w{3}, \d{1,2}:\d\d [AP]M E[SD]T"
        assert re.fullmatch(f'"Printed {printed} by {THERAPIST_NAME}"', when), when
