"""GET /api/v1/therapists/{id}/availability: weekly hours and the time off still to come."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from alliance.booking.models import TimeOff, WorkingHours
from tests.api.helpers import get
from tests.booking.fixtures import ZONE, local
from tests.conftest import make_therapist


def test_it_gives_the_weekly_hours_on_the_wall_clock() -> None:
    therapist = make_therapist("ana-alvarez")
    WorkingHours.objects.create(
        therapist=therapist, weekday=4, start=time(13, 30), end=time(17), format="in_person"
    )
    WorkingHours.objects.create(
        therapist=therapist, weekday=0, start=time(9), end=time(12), format="telehealth"
    )
    body = get(f"/therapists/{therapist.pk}/availability").json()
    assert body["timezone"] == "America/New_York"
    assert body["weekly"] == [
        {"weekday": 0, "start": "09:00", "end": "12:00", "format": "telehealth"},
        {"weekday": 4, "start": "13:30", "end": "17:00", "format": "in_person"},
    ]


def test_time_off_is_the_therapists_and_the_practices_still_to_come() -> None:
    therapist = make_therapist("ana-alvarez")
    other = make_therapist("ben-brown")
    now = timezone.now().replace(microsecond=0)
    own = TimeOff.objects.create(therapist=therapist, start=local(5, 0), end=local(8, 0))
    closure = TimeOff.objects.create(therapist=None, start=local(2, 0), end=local(3, 0))
    ongoing = TimeOff.objects.create(
        therapist=therapist, start=now - timedelta(hours=1), end=now + timedelta(hours=1)
    )
    TimeOff.objects.create(therapist=therapist, start=local(-9, 0), end=local(-8, 0))  # past
    TimeOff.objects.create(therapist=other, start=local(4, 0), end=local(5, 0))  # someone else
    away = get(f"/therapists/{therapist.pk}/availability").json()["time_off"]
    spans = [(datetime.fromisoformat(s["start"]), datetime.fromisoformat(s["end"])) for s in away]
    assert spans == [(t.start, t.end) for t in (ongoing, closure, own)]
    # ISO 8601 with the practice's offset, e.g. 2026-03-10T00:00:00-04:00
    assert away[1]["start"] == local(2, 0).isoformat()


def test_an_unknown_or_unlisted_therapist_is_not_found() -> None:
    hidden = make_therapist("hidden-hal", is_listed=False)
    for therapist_id in (hidden.pk, 999_999, 2**64):
        response = get(f"/therapists/{therapist_id}/availability")
        assert response.status_code == 404
        assert response.json() == {"detail": "There is no listed therapist with this id."}


def test_a_zone_is_in_every_time() -> None:
    therapist = make_therapist("ana-alvarez")
    TimeOff.objects.create(therapist=therapist, start=local(2, 9), end=local(2, 17))
    [span] = get(f"/therapists/{therapist.pk}/availability").json()["time_off"]
    start = datetime.fromisoformat(span["start"])
    assert start.tzinfo is not None
    assert start.astimezone(ZONE).hour == 9
