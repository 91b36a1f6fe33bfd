from django.urls import reverse

from alliance.booking.models import TimeOff, WorkingHours
from tests.booking.fixtures import ZONE
from tests.conftest import Personas, signed_in


def url(personas: Personas) -> str:
    return reverse("booking:availability", args=[personas.tara.slug])


def test_a_therapist_adds_and_removes_hours(personas: Personas) -> None:
    client = signed_in(personas.therapist)
    data = {
        "action": "add_hours",
        "weekday": "1",
        "start": "09:00",
        "end": "13:00",
        "format": "telehealth",
        "location": "",
    }
    assert client.post(url(personas), data).status_code == 302
    row = WorkingHours.objects.get(therapist=personas.tara)
    assert row.weekday == 1
    assert "Tuesday 9:00 AM" in client.get(url(personas)).content.decode()
    client.post(url(personas), {"action": "remove_hours", "id": str(row.pk)})
    assert not WorkingHours.objects.exists()


def test_hours_that_end_before_they_start_are_refused(personas: Personas) -> None:
    data = {
        "action": "add_hours",
        "weekday": "1",
        "start": "13:00",
        "end": "09:00",
        "format": "telehealth",
    }
    page = signed_in(personas.therapist).post(url(personas), data).content.decode()
    assert "The end must be after the start." in page
    assert not WorkingHours.objects.exists()


def test_time_off_covers_whole_local_days(personas: Personas) -> None:
    data = {
        "action": "add_time_off",
        "first_day": "2027-03-13",
        "last_day": "2027-03-14",
        "note": "Away",
    }
    signed_in(personas.therapist).post(url(personas), data)
    row = TimeOff.objects.get()
    assert row.start.astimezone(ZONE).isoformat() == "2027-03-13T00:00:00-05:00"
    assert row.end.astimezone(ZONE).isoformat() == "2027-03-15T00:00:00-04:00"  # after the change


def test_only_the_therapist_and_the_owner_edit_them(personas: Personas) -> None:
    assert signed_in(personas.owner).get(url(personas)).status_code == 200
    assert signed_in(personas.colleague).get(url(personas)).status_code == 404
    assert signed_in(personas.frontdesk).get(url(personas)).status_code == 403
    data = {"action": "add_time_off", "first_day": "2027-03-13", "last_day": "2027-03-14"}
    assert signed_in(personas.colleague).post(url(personas), data).status_code == 404
    assert not TimeOff.objects.exists()
