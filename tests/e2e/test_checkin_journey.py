"""The check-in after a session, in a real browser: a client answers on a phone (with and without
JavaScript, with and without the network), a risk answer brings crisis help at once and puts an
alert at the top of the therapist's day, and the therapist rates the session from the schedule.

Each session here has already ended when the test starts (booked by staff in the past), so the
check-in e-mail is due at once: no clock travel, which would reach the live server's thread too.
"""

import re
from datetime import timedelta

import pytest
from django.db.models import QuerySet
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect
from pytest_django.fixtures import Settings

from alliance.booking.appointments import appointment_book
from alliance.booking.models import Appointment, AppointmentType
from alliance.care.instruments import instruments
from alliance.care.models import Alert, CheckinInvitation, Respondent, Response, ResponseSource
from alliance.care.services import answers_score, response_record, session_on
from alliance.clients.models import Client
from alliance.outbox.sending import outbox_flush
from alliance.practice.models import Practice, Therapist, practice_zone
from tests.care.fixtures import LINK, path_of
from tests.smtp import SmtpServer, message_parts

from .conftest import VIEWPORTS, PageFactory, above, assert_accessible, screenshot, sign_in

pytestmark = pytest.mark.e2e

THERAPIST = "marisol-vega"
THERAPIST_EMAIL = "marisol@sabal.test"
CLIENT_NAME = "Robin Alvarez"
CLIENT_EMAIL = "robin.alvarez@example.com"
FIRST_SESSION = ["alliance_client", "phq9", "gad7"]
RISK_ITEM = "phq9_9"
CHECKIN_KEYS = "Object.keys(sessionStorage).filter((key) => key.startsWith('checkin-'))"
# How each question's answers are laid out: a scale must read in order, never ragged.
SCALE_LAYOUTS = """() => [...document.querySelectorAll('.answers')].map((scale) => {
  const boxes = [...scale.children].map((answer) => answer.getBoundingClientRect());
  if (boxes.every((box) => box.top === boxes[0].top)) return 'one row';
  if (boxes.every((box) => box.left === boxes[0].left)) return 'one column';
  return 'ragged';
})"""


@pytest.fixture(autouse=True)
def _mail(smtp_server: SmtpServer, settings: Settings, site: str) -> None:
    settings.MAILERS = smtp_server.mailers()
    settings.SITE_URL = site


def session_just_ended() -> Appointment:
    """A session of Marisol's with a new client that ended ten minutes ago."""
    therapist = Therapist.objects.get(slug=THERAPIST)
    client = Client.objects.create(name=CLIENT_NAME, email=CLIENT_EMAIL, therapist=therapist)
    session = AppointmentType.objects.get(slug="session")
    start = (timezone.now() - session.duration - timedelta(minutes=10)).replace(
        second=0, microsecond=0
    )
    return appointment_book(
        therapist=therapist,
        appointment_type=session,
        client=client,
        start=start,
        format="in_person",
        within_availability=False,
        send_confirmation=False,
    )


def mailed_link(smtp_server: SmtpServer) -> str:
    """Send what is due; the newest check-in link e-mailed to our client, as a path."""
    outbox_flush()
    for message in reversed(smtp_server.messages):
        if message["To"] == CLIENT_EMAIL:
            found = LINK.search(message_parts(message)["text/plain"])
            if found:
                return path_of(found.group(0))
    raise AssertionError(f"no check-in e-mail to {CLIENT_EMAIL}")


def checkin_path(smtp_server: SmtpServer) -> str:
    """The check-in link from the e-mail sent for a session that just ended."""
    appointment = session_just_ended()
    path = mailed_link(smtp_server)
    assert CheckinInvitation.objects.get(appointment=appointment).instruments == FIRST_SESSION
    return path


def responses() -> QuerySet[Response]:
    """What our client's check-ins recorded (the demo practice has a client of its own)."""
    return Response.objects.filter(client__email=CLIENT_EMAIL)


def calm_answers(**chosen: str) -> dict[str, str]:
    """The label to click for every question of a first check-in that is asked: a calm,
    untroubled set of answers ("Mostly", "Agree", "Not at all", "No"…), or `chosen[item_id]`
    where given. A follow-up its earlier answer does not ask (repair after no tension) is left
    out."""
    answers: dict[str, str] = {}
    for code in FIRST_SESSION:
        for item in instruments()[code].items:
            labels = [option.label for option in item.scale.options]
            calm = next((label for label in ("Mostly", "Agree") if label in labels), labels[0])
            condition = item.enable_when
            if condition is not None:
                earlier = instruments()[code].item(condition.item)
                label = answers[earlier.id]
                value = next(o.value for o in earlier.scale.options if o.label == label)
                if value < condition.at_least:
                    continue
            answers[item.id] = chosen.get(item.id, calm)
    return answers


def values_of(answers: dict[str, str], code: str) -> dict[str, int]:
    """What `answers` (labels) should be recorded as for one instrument."""
    return {
        item.id: next(o.value for o in item.scale.options if o.label == answers[item.id])
        for item in instruments()[code].items
        if item.id in answers
    }


def answer(page: Page, answers: dict[str, str]) -> None:
    """Click each answer's label: the whole box, as a thumb would, not the small radio."""
    for item_id, label in answers.items():
        page.locator(f"#q-{item_id} label.answer").filter(
            has=page.get_by_text(label, exact=True)
        ).click()


def expect_chosen(page: Page, answers: dict[str, str]) -> None:
    for item_id, label in answers.items():
        expect(
            page.locator(f"#q-{item_id}").get_by_role("radio", name=label, exact=True)
        ).to_be_checked()


def check_both_widths(page: Page, name: str) -> None:
    """No axe violations at 360 and 1280 px, no sideways scrolling on the phone, a screenshot
    at each width; the page is left at the width it had."""
    before = page.viewport_size
    for width in (1280, 360):
        page.set_viewport_size(VIEWPORTS[width])
        assert_accessible(page)
        if width == 360:
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= 360, f"{page.url} scrolls sideways at 360 px: {scroll_width}"
        screenshot(page, f"{name}-{width}")
    if before is not None:
        page.set_viewport_size(before)


def test_a_client_answers_every_question_on_a_phone_and_a_second_submit_records_nothing(
    new_page: PageFactory, smtp_server: SmtpServer
) -> None:
    path = checkin_path(smtp_server)
    page = new_page(360)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("How was your session?")
    expect(page.locator(".lead")).to_contain_text("About 3 minutes.")
    check_both_widths(page, "checkin")

    # Big targets: every answer shown at least 44 px each way; each scale in one row, on the
    # phone as on a wide screen. (The follow-up to tension is hidden until tension is reported.)
    for box in [label.bounding_box() for label in page.locator("label.answer:visible").all()]:
        assert box is not None
        assert min(box["height"], box["width"]) >= 44, box
    assert set(page.evaluate(SCALE_LAYOUTS)) == {"one row"}
    page.set_viewport_size(VIEWPORTS[1280])
    assert set(page.evaluate(SCALE_LAYOUTS)) == {"one row"}
    page.set_viewport_size(VIEWPORTS[360])

    # The same link open in a second tab, as happens when an e-mail is tapped twice.
    other_tab = page.context.new_page()
    other_tab.goto(path)
    page.bring_to_front()  # a hidden tab's animation frames, which clicks wait on, are slowed

    answers = calm_answers()
    answer(page, answers)
    expect_chosen(page, answers)
    page.get_by_role("textbox", name="Anything you would like your therapist to know?").fill(
        "Thank you for today."
    )
    page.get_by_role("button", name="Send my answers").click()

    expect(page).to_have_url(re.compile(r"/checkin/[^/]+/thanks/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.locator(".crisis-card")).to_have_count(0)
    check_both_widths(page, "checkin-thanks")
    recorded = {response.instrument: response for response in responses()}
    assert set(recorded) == set(FIRST_SESSION)
    for code in FIRST_SESSION:
        assert recorded[code].answers == values_of(answers, code), code
    assert recorded["alliance_client"].comment == "Thank you for today."
    assert not Alert.objects.filter(client__email=CLIENT_EMAIL).exists()

    # Going back finds the link used: it says thank you rather than asking again…
    page.go_back()
    expect(page).to_have_url(re.compile(r"/checkin/[^/]+/thanks/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.get_by_role("button", name="Send my answers")).to_have_count(0)

    # …and sending the same link again, with other answers, records nothing new.
    other_tab.bring_to_front()
    answer(other_tab, calm_answers(phq9_1="Nearly every day"))
    other_tab.get_by_role("button", name="Send my answers").click()
    expect(other_tab).to_have_url(re.compile(r"/checkin/[^/]+/thanks/$"))
    expect(other_tab.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert responses().count() == len(FIRST_SESSION)
    assert responses().get(instrument="phq9").answers["phq9_1"] == 0


def test_a_risk_answer_shows_crisis_help_and_the_therapist_sees_the_alert_first_thing(
    new_page: PageFactory, smtp_server: SmtpServer
) -> None:
    practice = Practice.objects.current()
    path = checkin_path(smtp_server)
    client = new_page(360)
    client.goto(path)
    item9 = client.locator(f"#q-{RISK_ITEM} legend")
    expect(item9).to_contain_text("Thoughts that you would be better off dead")
    answer(client, calm_answers(**{RISK_ITEM: "Several days"}))
    client.get_by_role("button", name="Send my answers").click()

    # Crisis help, at once, on the page that thanks them.
    expect(client).to_have_url(re.compile(r"/checkin/[^/]+/thanks/$"))
    card = client.locator("section.crisis-card")
    expect(card.get_by_role("heading", level=1)).to_have_text(
        "Thank you for telling us. You don't have to carry this alone."
    )
    for name, href in (
        ("Call 988", "tel:988"),
        ("Text 988", "sms:988"),
        ("Call 911", "tel:911"),
        (f"Call {practice.name}: {practice.phone}", "tel:+12395550142"),
    ):
        expect(card.get_by_role("link", name=name, exact=True)).to_have_attribute("href", href)
    check_both_widths(client, "checkin-thanks-risk")
    alert = Alert.objects.get(client__email=CLIENT_EMAIL)
    assert alert.kind == "risk"
    assert alert.therapist.slug == THERAPIST

    # The treating therapist signs in: the alert is the first thing on the day's page…
    therapist = new_page(1280)
    sign_in(therapist, THERAPIST_EMAIL)
    alerts = therapist.get_by_role("region", name="Needs your attention today")
    expect(alerts).to_be_visible()
    newest = alerts.get_by_role("listitem").first
    expect(newest).to_contain_text("Risk: self-harm item answered")
    expect(newest).to_contain_text(CLIENT_NAME)
    assert above(therapist, "#alerts-heading", "h1")
    check_both_widths(therapist, "staff-home-alert")

    # …and on the schedule,
    therapist.get_by_role("navigation", name="Main").get_by_role("link", name="Schedule").click()
    expect(therapist.get_by_role("heading", level=1)).to_contain_text("Schedule")
    expect(alerts).to_contain_text(CLIENT_NAME)
    assert above(therapist, "#alerts-heading", "h1")
    check_both_widths(therapist, "schedule-alert")

    # …and leads to the client's page, which shows it.
    newest.get_by_role("link").click()
    expect(therapist).to_have_url(re.compile(r"/staff/clients/[0-9a-f-]+/#alerts$"))
    expect(therapist.get_by_role("heading", level=1)).to_have_text(CLIENT_NAME)
    client_alerts = therapist.get_by_role("region", name="Alerts")
    expect(client_alerts).to_contain_text("Risk: self-harm item answered")
    # The session and the answer in words, not a rule id and a number.
    expect(client_alerts).to_contain_text(
        re.compile(r'At the session of .+, item 9 of the PHQ-9 .+ was answered "Several days"')
    )
    expect(therapist.get_by_role("region", name="Check-ins and scores")).to_contain_text("PHQ-9")
    check_both_widths(therapist, "client-page")


def test_a_missing_answer_is_pointed_out_and_every_other_answer_is_kept(
    new_page: PageFactory, smtp_server: SmtpServer
) -> None:
    path = checkin_path(smtp_server)
    page = new_page(360)
    page.goto(path)
    answers = calm_answers(phq9_4="More than half the days")
    missing = "gad7_3"
    del answers[missing], answers["phq9_difficulty"]
    answer(page, answers)
    page.get_by_role("textbox", name="Anything you would like your therapist to know?").fill(
        "Keep me"
    )
    page.get_by_role("button", name="Send my answers").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("A few answers are missing")
    expect(page.get_by_role("alert")).to_contain_text("A few answers are missing")
    expect(summary).to_be_focused()  # where a keyboard or screen reader user starts again
    expect(summary.get_by_role("link")).to_have_count(1)
    link = summary.get_by_role("link", name="Worrying too much about different things")
    expect(link).to_have_attribute("href", f"#q-{missing}")
    expect(page.locator(f"#q-{missing} .question__error")).to_have_text("Please choose an answer.")
    expect_chosen(page, answers)
    expect(page.get_by_role("textbox", name="Anything you would like")).to_have_value("Keep me")
    assert responses().count() == 0
    check_both_widths(page, "checkin-errors")

    # The link goes to the question; answering it sends everything.
    link.click()
    expect(page).to_have_url(re.compile(rf"#q-{missing}$"))
    expect(page.locator(f"#q-{missing}")).to_be_in_viewport()
    answer(page, {missing: "Several days"})
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert responses().get(instrument="gad7").answers[missing] == 1
    assert responses().get(instrument="phq9").answers["phq9_4"] == 2


def test_the_follow_up_shows_only_once_tension_is_reported_and_forgets_a_moot_answer(
    new_page: PageFactory, smtp_server: SmtpServer
) -> None:
    page = new_page(360)
    page.goto(checkin_path(smtp_server))
    repair = page.locator("#q-ac_repair")
    expect(repair).to_be_hidden()
    answer(page, {"ac_tension": "A little"})
    expect(repair).to_be_visible()
    # Shown only when it applies, it need not say when it applies.
    expect(repair.locator(".question__when")).to_be_hidden()
    answer(page, {"ac_repair": "Well"})
    answer(page, {"ac_tension": "No"})
    expect(repair).to_be_hidden()
    answer(page, {"ac_tension": "Yes"})
    expect(repair.get_by_role("radio", name="Well", exact=True)).not_to_be_checked()


def test_a_follow_up_that_does_not_apply_is_cleared_and_stays_cleared(
    new_page: PageFactory, smtp_server: SmtpServer
) -> None:
    """Without scripts every question shows, and the server refuses the one that does not apply."""
    path = checkin_path(smtp_server)
    page = new_page(360, java_script_enabled=False)
    page.goto(path)
    expect(page.locator("#q-ac_repair .question__when")).to_have_text(
        "Only if you answered “A little” or “Yes” to the question above."
    )
    answers = calm_answers()  # "No" tension: the repair question does not apply
    answer(page, {**answers, "ac_repair": "Very well"})
    page.get_by_role("button", name="Send my answers").click()

    expect(page.get_by_role("alert")).to_contain_text("Please check your answers")
    expect(page.locator("#q-ac_repair .question__error")).to_contain_text("does not apply")
    # Cleared by the server.
    expect(page.locator("#q-ac_repair").get_by_role("radio", name="Very well")).not_to_be_checked()
    expect_chosen(page, answers)
    assert responses().count() == 0
    page.get_by_role("button", name="Send my answers").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert "ac_repair" not in responses().get(instrument="alliance_client").answers


def test_answers_survive_a_reload_and_a_lost_connection_and_are_cleared_once_sent(
    new_page: PageFactory, smtp_server: SmtpServer
) -> None:
    path = checkin_path(smtp_server)
    page = new_page(360)
    page.goto(path)
    answers = calm_answers()
    first = dict(list(answers.items())[:5])
    answer(page, first)
    comment = page.get_by_role("textbox", name="Anything you would like your therapist to know?")
    comment.fill("Written before the reload")

    page.reload()
    expect_chosen(page, first)
    expect(comment).to_have_value("Written before the reload")
    assert len(page.evaluate(CHECKIN_KEYS)) == 1

    # The connection drops as they send: the browser can't reach us, nothing is recorded.
    rest = dict(list(answers.items())[5:12])
    answer(page, rest)
    page.context.set_offline(True)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("button", name="Send my answers")).to_have_count(0)
    assert responses().count() == 0

    # Back online, they open the link again in the same tab: everything is still chosen.
    page.context.set_offline(False)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("How was your session?")
    expect_chosen(page, {**first, **rest})
    expect(comment).to_have_value("Written before the reload")
    answer(page, dict(list(answers.items())[12:]))
    page.get_by_role("button", name="Send my answers").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert responses().count() == len(FIRST_SESSION)
    # Health information does not outlive the check-in on a shared device.
    page.wait_for_function(f"{CHECKIN_KEYS}.length === 0")


def test_the_check_in_works_with_javascript_turned_off(
    new_page: PageFactory, smtp_server: SmtpServer
) -> None:
    path = checkin_path(smtp_server)
    page = new_page(360, java_script_enabled=False)
    page.goto(path)
    answers = calm_answers()
    missing = "gad7_2"
    answer(page, {item: label for item, label in answers.items() if item != missing})
    page.get_by_role("button", name="Send my answers").click()

    # The server, not a script, keeps what was chosen.
    expect(page.get_by_role("alert")).to_contain_text("A few answers are missing")
    expect_chosen(page, {item: label for item, label in answers.items() if item != missing})
    answer(page, {missing: answers[missing]})
    page.get_by_role("button", name="Send my answers").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert responses().count() == len(FIRST_SESSION)
    assert responses().get(instrument="gad7").answers == values_of(answers, "gad7")


def test_an_expired_link_explains_itself_and_a_new_one_arrives_by_email(
    new_page: PageFactory, smtp_server: SmtpServer
) -> None:
    path = checkin_path(smtp_server)
    # A week has gone by: the link's time is up (its expiry is all that says so).
    CheckinInvitation.objects.filter(appointment__client__email=CLIENT_EMAIL).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    page = new_page(360)
    response = page.goto(path)
    assert response is not None
    assert response.status == 410
    expect(page.get_by_role("heading", level=1)).to_have_text("This check-in link has expired")
    check_both_widths(page, "checkin-expired")

    page.get_by_role("button", name="Send me a new link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A new link is on its way")
    new_path = mailed_link(smtp_server)
    assert new_path != path
    page.goto(new_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("How was your session?")


@pytest.mark.parametrize("width", [1280, 360])
def test_the_therapist_rates_the_session_from_the_schedule(
    new_page: PageFactory, width: int
) -> None:
    appointment = session_just_ended()
    day = appointment.start.astimezone(practice_zone()).date()
    page = new_page(width)
    sign_in(page, THERAPIST_EMAIL)
    page.goto(f"/staff/schedule/?date={day:%Y-%m-%d}")
    rate = page.get_by_role("link", name=f"Rate this session with {CLIENT_NAME}")
    rate_path = rate.get_attribute("href") or ""
    rate.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your view of the session")
    expect(page.locator(".lead")).to_contain_text(CLIENT_NAME)
    assert_accessible(page)
    if width == 360:
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, f"session-rate-{width}")
    ratings = {
        item.id: "No" if item.id == "at_tension" else "Mostly"
        for item in instruments()["alliance_therapist"].items
        if item.required
    }
    answer(page, ratings)
    page.get_by_role("button", name="Save my rating").click()

    expect(page.get_by_role("status")).to_have_text(
        "Thank you: your rating of the session is saved."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Session with {CLIENT_NAME}")
    rating = responses().get(session__appointment=appointment)
    assert rating.respondent == Respondent.THERAPIST
    assert rating.instrument == "alliance_therapist"
    assert rating.answers == {item: 0 if item == "at_tension" else 4 for item in ratings}

    # Opened again, the form says it is done, with the score out of the most there is.
    page.goto(rate_path)
    maximum = instruments()["alliance_therapist"].max_total
    expect(page.locator(".notice")).to_contain_text(f": {rating.total} of {maximum}.")
    expect(page.get_by_role("button", name="Save my rating")).to_have_count(0)

    page.get_by_role("main").get_by_role("link", name="The appointment").click()
    page.get_by_role("main").get_by_role("link", name=re.compile("Schedule")).click()
    item = page.locator(".schedule-item", has_text=CLIENT_NAME)
    expect(item.get_by_text("Session rated")).to_be_visible()
    expect(item.get_by_role("link", name=re.compile("Rate this session"))).to_have_count(0)


# A phone of the smaller common size, in CSS pixels.
PHONE: ViewportSize = {"width": 360, "height": 740}


def returning_client_session() -> Appointment:
    """A session that just ended, Robin's fourth: the three before, a week apart, each answered
    as the default plan asked (the symptom measures, then self-esteem, then the alliance alone)."""
    appointment = session_just_ended()
    today = appointment.start.astimezone(practice_zone()).date()
    asked = (FIRST_SESSION, ["alliance_client", "rses"], ["alliance_client"])
    for weeks, codes in zip((3, 2, 1), asked, strict=True):
        session = session_on(
            client=appointment.client,
            therapist=appointment.therapist,
            day=today - timedelta(weeks=weeks),
        )
        for code in codes:
            calm = {
                item.id: item.scale.options[0].value
                for item in instruments()[code].items
                if item.enable_when is None  # no tension, so no "how well did you talk it through"
            }
            response_record(
                session=session,
                scored=answers_score(code, calm),
                completed_at=timezone.now() - timedelta(weeks=weeks),
                source=ResponseSource.CHECKIN,
            )
    return appointment


def test_a_returning_clients_usual_check_in_is_short_on_a_phone(
    new_page: PageFactory, smtp_server: SmtpServer
) -> None:
    appointment = returning_client_session()
    path = mailed_link(smtp_server)
    assert CheckinInvitation.objects.get(appointment=appointment).instruments == ["alliance_client"]
    page = new_page(360)
    page.set_viewport_size(PHONE)
    page.goto(path)
    expect(page.locator(".lead")).to_contain_text("Under a minute.")
    # Eight questions; the follow-up to tension waits until tension is reported.
    expect(page.locator("fieldset.question:visible")).to_have_count(8)
    check_both_widths(page, "checkin-returning")
    page.set_viewport_size(PHONE)
    # One page, and the thumb's measure: from the top, the button that sends is in view after
    # scrolling at most two screens (1.8 here; 2.2 with the follow-up always shown, 4.4 with one
    # answer under another, and the old every-session check-in some 18).
    send = page.get_by_role("button", name="Send my answers").bounding_box()
    assert send is not None
    assert send["y"] + send["height"] - PHONE["height"] <= 2 * PHONE["height"]
