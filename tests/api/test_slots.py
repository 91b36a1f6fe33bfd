"""GET /api/v1/therapists/{id}/slots: free times of a public appointment type."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from alliance.booking.availability import therapist_slots
from alliance.booking.models import AppointmentType
from alliance.practice.models import Therapist
from tests.api.helpers import get, locations
from tests.booking.fixtures import ZONE, bookable_therapist, consultation_type, local, session_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def therapist() -> Therapist:
    consultation_type()
    return bookable_therapist()


def slots(therapist: Therapist, start: date, end: date, **params: str) -> list[dict[str, str]]:
    response = get(
        f"/therapists/{therapist.pk}/slots", start=start.isoformat(), end=end.isoformat(), **params
    )
    assert response.status_code == 200, response.content
    found: list[dict[str, str]] = response.json()
    return found


def test_they_agree_with_the_scheduling_core(therapist: Therapist) -> None:
    first, last = local(2, 0).date(), local(5, 0).date()
    expected = therapist_slots(
        therapist=therapist,
        appointment_type=AppointmentType.objects.get(slug="consultation"),
        first_day=first,
        last_day=last,
        now=timezone.now(),
    )
    found = slots(therapist, first, last, type="consultation")
    assert len(found) == len(expected) > 0
    assert [
        (datetime.fromisoformat(s["start"]), datetime.fromisoformat(s["end"])) for s in found
    ] == [(slot.start, slot.end) for slot in expected]


def test_they_are_sorted_and_carry_the_practices_offset(therapist: Therapist) -> None:
    found = slots(therapist, local(3, 0).date(), local(4, 0).date())  # type defaults
    starts = [datetime.fromisoformat(s["start"]) for s in found]
    assert starts == sorted(starts)
    assert found[0]["start"] == local(3, 8).isoformat()  # e.g. 2026-03-10T08:00:00-04:00
    assert found[0]["end"] == (local(3, 8) + timedelta(minutes=15)).isoformat()


@time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=UTC), tick=False)
def test_the_offset_follows_daylight_saving(therapist: Therapist) -> None:
    # 8 March 2026: New York moves from EST (-05:00) to EDT (-04:00).
    found = slots(therapist, date(2026, 3, 7), date(2026, 3, 9))
    firsts = {s["start"][:10]: s["start"] for s in reversed(found)}
    assert firsts == {
        "2026-03-07": "2026-03-07T08:00:00-05:00",
        "2026-03-08": "2026-03-08T08:00:00-04:00",
        "2026-03-09": "2026-03-09T08:00:00-04:00",
    }
    assert all(datetime.fromisoformat(s["start"]).astimezone(ZONE).hour >= 8 for s in found)


def test_sixty_two_days_may_be_asked_for_at_once(therapist: Therapist) -> None:
    start = local(1, 0).date()
    assert slots(therapist, start, start + timedelta(days=61))


def test_only_public_types_are_offered(therapist: Therapist) -> None:
    session_type()  # clients book these with their therapist, not the public
    response = get(
        f"/therapists/{therapist.pk}/slots", type="session", start="2026-03-02", end="2026-03-03"
    )
    assert locations(response) == [["query", "type"]]
    assert "consultation" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"type": "nonesuch"}, "type"),
        ({"type": "<script>"}, "type"),
        ({"start": "next tuesday"}, "start"),
        ({"start": "2026-02-30"}, "start"),
        ({"end": ""}, "end"),
        ({"start": "2026-03-10", "end": "2026-03-09"}, "end"),
        ({"start": "2026-03-01", "end": "2026-05-02"}, "end"),  # 63 days
        ({"start": "0001-01-01", "end": "0001-01-02"}, "start"),
        ({"start": "9999-12-30", "end": "9999-12-31"}, "start"),
    ],
)
def test_a_bad_parameter_is_named(
    therapist: Therapist, params: dict[str, str], parameter: str
) -> None:
    query = {"type": "consultation", "start": "2026-03-02", "end": "2026-03-03", **params}
    response = get(f"/therapists/{therapist.pk}/slots", **query)
    assert ["query", parameter] in locations(response)
    assert all(problem["msg"] for problem in response.json()["detail"])


def test_a_missing_day_is_named(therapist: Therapist) -> None:
    response = get(f"/therapists/{therapist.pk}/slots", type="consultation")
    assert sorted(map(tuple, locations(response))) == [("query", "end"), ("query", "start")]


def test_an_unlisted_therapist_has_no_slots(therapist: Therapist) -> None:
    therapist.is_listed = False
    therapist.save()
    response = get(f"/therapists/{therapist.pk}/slots", start="2026-03-02", end="2026-03-03")
    assert response.status_code == 404
    assert "detail" in response.json()
