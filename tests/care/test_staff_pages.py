"""The therapist's side: the client page, the session rating, alerts at the top of the day."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.accounts.models import AuditRecord
from alliance.booking.models import Appointment
from alliance.care.models import Alert, AlertKind, PlanItem, Response, ResponseSource
from alliance.care.services import answers_score, response_record, session_on
from alliance.clients.models import Client
from tests.booking.fixtures import bookable_therapist
from tests.care.fixtures import session_booked
from tests.care.history import practice_today
from tests.conftest import Personas, signed_in

pytestmark = pytest.mark.django_db


def taras_client(personas: Personas, name: str = "Casey Client") -> Client:
    return Client.objects.create(name=name, email="casey@example.com", therapist=personas.tara)


def record(client: Client, day_offset: int, code: str, answers: dict[str, int]) -> Response:
    assert client.therapist is not None
    session = session_on(
        client=client,
        therapist=client.therapist,
        day=practice_today() - timedelta(days=day_offset),
    )
    return response_record(
        session=session,
        scored=answers_score(code, answers),
        completed_at=timezone.now() - timedelta(days=day_offset),
        source=ResponseSource.API,
    )


def phq9(*values: int) -> dict[str, int]:
    return {f"phq9_{number}": value for number, value in enumerate(values, start=1)}


def test_the_client_page_lists_scores_bands_and_change_since_the_first(
    personas: Personas,
) -> None:
    client = taras_client(personas)
    record(client, 14, "phq9", phq9(3, 3, 2, 2, 1, 1, 1, 1, 0))  # 14, moderate
    record(client, 7, "phq9", phq9(2, 2, 1, 1, 1, 1, 1, 0, 0))  # 9, mild
    page = signed_in(personas.therapist).get(f"/staff/clients/{client.uuid}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Moderate" in html
    assert "Mild" in html
    assert ">-5<" in html
    assert "Answered worst last time" in html
    assert "Little interest or pleasure in doing things — <strong>More than half the days" in html


def test_no_item_stands_out_when_every_answer_is_the_same(personas: Personas) -> None:
    client = taras_client(personas)
    record(client, 3, "phq9", phq9(1, 1, 1, 1, 1, 1, 1, 1, 1))
    html = signed_in(personas.therapist).get(f"/staff/clients/{client.uuid}/").content.decode()
    assert "Answered worst last time" not in html


def test_a_colleague_cannot_open_another_therapists_client(personas: Personas) -> None:
    client = taras_client(personas)
    assert signed_in(personas.colleague).get(f"/staff/clients/{client.uuid}/").status_code == 404
    listing = signed_in(personas.colleague).get("/staff/clients/").content.decode()
    assert "Casey Client" not in listing


def test_the_owner_sees_every_client_and_the_front_desk_sees_no_scores(
    personas: Personas,
) -> None:
    client = taras_client(personas)
    assert signed_in(personas.owner).get(f"/staff/clients/{client.uuid}/").status_code == 200
    assert signed_in(personas.frontdesk).get(f"/staff/clients/{client.uuid}/").status_code == 403


def test_the_client_page_costs_the_same_queries_however_long_the_history(
    personas: Personas,
) -> None:
    client = taras_client(personas)
    record(client, 30, "phq9", phq9(1, 1, 1, 1, 1, 1, 1, 1, 0))
    browser = signed_in(personas.therapist)
    browser.get(f"/staff/clients/{client.uuid}/")  # the practice's norms are then kept a minute
    with CaptureQueriesContext(connection) as few:
        browser.get(f"/staff/clients/{client.uuid}/")
    for days in range(1, 25):
        record(client, days, "phq9", phq9(1, 1, 1, 1, 1, 1, 1, 1, 0))
    with CaptureQueriesContext(connection) as many:
        browser.get(f"/staff/clients/{client.uuid}/")
    assert len(many) == len(few)


def test_the_therapist_changes_the_measurement_plan(personas: Personas) -> None:
    client = taras_client(personas)
    record(client, 1, "phq9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 0))
    form = {f"plan-{code}": "every_session" for code in ("alliance_client", "alliance_therapist")}
    form |= {"plan-phq9": "every_other_session", "plan-gad7": "off", "plan-rses": "monthly"}
    signed_in(personas.therapist).post(f"/staff/clients/{client.uuid}/plan/", form)
    plan = dict(PlanItem.objects.values_list("instrument", "frequency"))
    assert plan["phq9"] == "every_other_session"
    assert plan["gad7"] == "off"


def test_a_plan_with_an_unknown_frequency_changes_nothing(personas: Personas) -> None:
    client = taras_client(personas)
    record(client, 1, "phq9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 0))
    page = signed_in(personas.therapist).post(
        f"/staff/clients/{client.uuid}/plan/", {"plan-phq9": "hourly"}, follow=True
    )
    assert "nothing was changed" in page.content.decode()
    assert PlanItem.objects.get(instrument="phq9").frequency == "monthly"


PLAN_FORM = {
    "plan-alliance_client": "every_session",
    "plan-alliance_therapist": "every_session",
    "plan-phq9": "monthly",
    "plan-gad7": "every_other_session",
    "plan-rses": "off",
}


def test_the_client_page_shows_the_default_plan_as_choices(personas: Personas) -> None:
    client = taras_client(personas)
    record(client, 1, "phq9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 0))
    html = signed_in(personas.therapist).get(f"/staff/clients/{client.uuid}/").content.decode()
    plan = html[html.index('id="plan-title"') :]
    assert (
        '<option value="monthly" selected>Monthly</option>' in plan[plan.index('id="plan-phq9"') :]
    )
    assert (
        '<option value="second_then_monthly" selected>Second session, then monthly</option>'
        in (plan[plan.index('id="plan-rses"') :])
    )
    assert "at most 25 questions" in plan


@pytest.mark.parametrize("who", ["owner", "therapist"])
def test_the_owner_and_the_treating_therapist_change_the_plan_and_it_is_audited(
    personas: Personas, who: str
) -> None:
    client = taras_client(personas)
    record(client, 1, "phq9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 0))
    person = getattr(personas, who)
    page = signed_in(person).post(f"/staff/clients/{client.uuid}/plan/", PLAN_FORM, follow=True)
    assert "Measurement plan saved." in page.content.decode()
    assert dict(PlanItem.objects.values_list("instrument", "frequency")) == {
        "alliance_client": "every_session",
        "alliance_therapist": "every_session",
        "phq9": "monthly",
        "gad7": "every_other_session",
        "rses": "off",
    }
    changed = AuditRecord.objects.get(what="measurement plan change")
    assert (changed.user, changed.client_uuid) == (person, client.uuid)


@pytest.mark.parametrize(("who", "status"), [("frontdesk", 403), ("colleague", 404)])
def test_the_front_desk_and_another_therapist_may_not_change_the_plan(
    personas: Personas, who: str, status: int
) -> None:
    client = taras_client(personas)
    record(client, 1, "phq9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 0))
    before = dict(PlanItem.objects.values_list("instrument", "frequency"))
    response = signed_in(getattr(personas, who)).post(
        f"/staff/clients/{client.uuid}/plan/", PLAN_FORM
    )
    assert response.status_code == status
    assert dict(PlanItem.objects.values_list("instrument", "frequency")) == before
    assert not AuditRecord.objects.filter(what="measurement plan change").exists()


def _held_session(personas: Personas) -> Appointment:
    bookable_therapist(personas.tara.slug)
    return session_booked(therapist=personas.tara, client=taras_client(personas))


def _rating() -> dict[str, str]:
    items = ("heard", "understood", "respected", "safe", "goals", "approach", "overall")
    return {f"at_{item}": "4" for item in items} | {"at_tension": "0"}


def test_the_therapist_rates_a_session_once(personas: Personas) -> None:
    appointment = _held_session(personas)
    with time_machine.travel(appointment.end):
        browser = signed_in(personas.therapist)  # staff sign-ins lapse after 30 idle minutes
        schedule = browser.get(f"/staff/schedule/?date={appointment.start:%Y-%m-%d}")
        assert f"/staff/appointments/{appointment.uuid}/rate/" in schedule.content.decode()
        assert (
            browser.post(f"/staff/appointments/{appointment.uuid}/rate/", _rating()).status_code
            == 302
        )
        browser.post(f"/staff/appointments/{appointment.uuid}/rate/", _rating())
        schedule = browser.get(f"/staff/schedule/?date={appointment.start:%Y-%m-%d}")
    (rating,) = Response.objects.filter(instrument="alliance_therapist")
    assert rating.total == 28
    assert rating.recorded_by == personas.therapist
    assert "Session rated" in schedule.content.decode()


def test_a_rating_with_missing_answers_is_refused_with_the_rest_kept(personas: Personas) -> None:
    appointment = _held_session(personas)
    answers = _rating()
    del answers["at_safe"]
    with time_machine.travel(appointment.end):
        page = signed_in(personas.therapist).post(
            f"/staff/appointments/{appointment.uuid}/rate/", answers
        )
    assert page.status_code == 422
    assert 'value="4" id="id_at_heard_3" checked' in page.content.decode()
    assert Response.objects.count() == 0


def test_a_repair_rating_after_no_tension_is_refused_and_cleared(personas: Personas) -> None:
    appointment = _held_session(personas)
    with time_machine.travel(appointment.end):
        page = signed_in(personas.therapist).post(
            f"/staff/appointments/{appointment.uuid}/rate/", _rating() | {"at_repair": "3"}
        )
    assert page.status_code == 422
    html = page.content.decode()
    assert "Please check your answers" in html
    assert "where you chose “No”, so it does not apply" in html
    assert 'name="at_repair" value="3" id="id_at_repair_3" checked' not in html
    assert 'value="4" id="id_at_heard_3" checked' in html
    assert Response.objects.count() == 0


def test_only_the_sessions_own_therapist_rates_it(personas: Personas) -> None:
    appointment = _held_session(personas)
    with time_machine.travel(appointment.end):
        for user in (personas.colleague, personas.owner):
            page = signed_in(user).get(f"/staff/appointments/{appointment.uuid}/rate/")
            assert page.status_code == 404
        assert (
            signed_in(personas.frontdesk)
            .get(f"/staff/appointments/{appointment.uuid}/rate/")
            .status_code
            == 403
        )


def test_a_risk_alert_is_at_the_top_of_the_therapists_day(personas: Personas) -> None:
    client = taras_client(personas, "Riley Risk")
    record(client, 0, "phq9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 1))
    for path in ("/staff/", "/staff/schedule/"):
        html = signed_in(personas.therapist).get(path).content.decode()
        assert html.index("Needs your attention today") < html.index("<h1")
        assert "Riley Risk" in html
        assert "Riley Risk" not in signed_in(personas.colleague).get(path).content.decode()


def test_an_answer_in_the_hour_the_clocks_repeat_keeps_its_zone(personas: Personas) -> None:
    """1:20 AM happens twice in New York on 7 Nov 2027 (EDT, then EST): the zone tells which.
    Django's "T" prints nothing for such a time."""
    riley = taras_client(personas, "Riley Risk")
    with time_machine.travel(datetime(2027, 11, 9, 5, 20, tzinfo=UTC), tick=False):
        record(riley, 2, "phq9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 1))  # 7 Nov, 05:20 UTC
        band = signed_in(personas.therapist).get("/staff/").content.decode()
    assert "answered that day, 1:20 AM EDT" in band


def test_the_day_names_risk_with_when_the_client_answered_and_counts_the_rest(
    personas: Personas,
) -> None:
    from tests.care.test_brief import ruptured

    riley = taras_client(personas, "Riley Risk")
    answered = record(riley, 2, "phq9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 1)).completed_at
    ruptured(personas, "Robin Rupture")
    html = signed_in(personas.therapist).get("/staff/").content.decode()
    band = html[html.index('<section class="alerts"') : html.index("</section>")]
    assert "Riley Risk" in band
    # When the client answered, not when the engine ran: the time alone after the session's
    # date when it was the same day (a line shorter on a phone), else the date too.
    when = timezone.localtime(answered, ZoneInfo("America/New_York"))
    session_day = practice_today() - timedelta(days=2)
    assert f"session of {session_day:%a} {session_day.day} {session_day:%b}" in band
    if when.date() == session_day:
        assert f"answered that day, {when:%-I:%M %p %Z}" in band
    else:
        assert f"answered {when:%a} {when.day} {when:%b}, {when:%-I:%M %p %Z}" in band
    assert "Robin Rupture" not in band
    assert '<li class="alerts__count"><strong>1</strong> Possible rupture</li>' in band
    assert 'href="/staff/clients/">See them on the caseload' in band


def test_past_four_kinds_the_rest_are_counted_in_one_tile(personas: Personas) -> None:
    client = taras_client(personas, "Casey Many")
    for kind in (
        AlertKind.UNREPAIRED_RUPTURE,
        AlertKind.DISAGREEMENT,
        AlertKind.LOW_ALLIANCE,
        AlertKind.NOT_ON_TRACK,
        AlertKind.NO_IMPROVEMENT,
        AlertKind.NO_IMPROVEMENT,
    ):
        Alert.objects.create(client=client, therapist=personas.tara, kind=kind, rule="test")
    html = signed_in(personas.therapist).get("/staff/").content.decode()
    band = html[html.index('<section class="alerts"') : html.index("</section>")]
    assert re.findall(r'<li class="alerts__count"><strong>(\d+)</strong> ([^<]+)</li>', band) == [
        ("1", "Unrepaired rupture"),
        ("1", "Disagreement"),
        ("1", "Low alliance"),
        ("3", "more"),
    ]


def test_the_therapist_opens_the_progress_page_the_client_sees_from_the_brief(
    personas: Personas,
) -> None:
    client = taras_client(personas)
    record(client, 14, "phq9", phq9(3, 3, 2, 2, 1, 1, 1, 1, 0))
    record(client, 7, "phq9", phq9(2, 2, 1, 1, 1, 1, 1, 0, 0))
    browser = signed_in(personas.therapist)
    brief = browser.get(f"/staff/clients/{client.uuid}/").content.decode()
    assert f'href="/staff/clients/{client.uuid}/progress/"' in brief
    page = browser.get(f"/staff/clients/{client.uuid}/progress/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "What Casey Client sees" in html
    assert "Your first score was 14 (moderate)" in html
    assert "your latest is 9 (mild)" in html
    assert AuditRecord.objects.filter(
        what="client progress page", client_uuid=client.uuid, user=personas.therapist
    ).exists()


def test_the_clients_progress_page_is_for_those_who_may_open_their_brief(
    personas: Personas,
) -> None:
    client = taras_client(personas)
    address = f"/staff/clients/{client.uuid}/progress/"
    assert signed_in(personas.owner).get(address).status_code == 200
    assert signed_in(personas.colleague).get(address).status_code == 404
    assert signed_in(personas.frontdesk).get(address).status_code == 403
