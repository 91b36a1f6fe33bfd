"""What no browser sends, the pages still answer with a clear refusal, never a 500."""

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from alliance.booking.models import Appointment, TimeOff
from alliance.booking.tokens import manage_token_make
from tests.booking.fixtures import bookable_therapist, consultation_type, local
from tests.booking.test_booking_pages import booked
from tests.conftest import Personas, signed_in

pytestmark = pytest.mark.django_db

CONFIRM = reverse("booking:confirm", args=["bo-bookable"])


@pytest.fixture(autouse=True)
def _bookable() -> None:
    bookable_therapist()
    consultation_type()


def confirm_url(start: str) -> str:
    return f"{CONFIRM}?type=consultation&start={quote(start)}"


@pytest.mark.parametrize(
    ("start", "reason"),
    [
        ("9999-12-31T23:59:59+00:00", "between the years 1900 and 2200"),
        ("0001-01-01T00:00:00-05:00", "between the years 1900 and 2200"),
        ("2200-12-31T23:00:00-05:00", "between the years 1900 and 2200"),
        ("2030-03-10T10:00:00+23:59", "between -14:00 and +14:00"),
        ("2030-03-10T10:00:00", "with its UTC offset"),
        ("yesterday", "ISO 8601"),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_time_no_calendar_holds_is_refused_on_the_confirm_page(
    start: str, reason: str, method: str
) -> None:
    response = getattr(Client(), method)(confirm_url(start))
    assert response.status_code == 422
    page = response.content.decode()
    assert "We cannot book that time" in page
    assert reason in page
    assert reverse("booking:slots", args=["bo-bookable"]) in page
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2201-01-01"])
def test_the_schedule_on_a_day_no_calendar_holds_shows_today(personas: Personas, day: str) -> None:
    response = signed_in(personas.therapist).get(reverse("booking:schedule"), {"date": day})
    assert response.status_code == 200


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_staff_booking_on_a_day_no_calendar_holds_names_the_day(
    personas: Personas, day: str
) -> None:
    data = {
        "therapist": personas.tara.slug,
        "appointment_type": "consultation",
        "name": "Jamie New",
        "day": day,
        "start_time": "10:00",
        "format": "in_person",
        "repeat": "0",
        "occurrences": "1",
    }
    response = signed_in(personas.frontdesk).post(reverse("booking:appointment_new"), data)
    assert "between the years 1900 and 2200" in str(response.context["form"].errors["day"])
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_time_off_on_a_day_no_calendar_holds_is_refused(personas: Personas, day: str) -> None:
    data = {"action": "add_time_off", "first_day": day, "last_day": day, "note": ""}
    url = reverse("booking:availability", args=[personas.tara.slug])
    response = signed_in(personas.therapist).post(url, data)
    assert response.status_code in (200, 422)
    assert "between the years 1900 and 2200" in response.content.decode()
    assert not TimeOff.objects.exists()


@pytest.mark.parametrize(("since", "until"), [("0001-01-01", "0001-01-02"), ("", "9999-12-31")])
def test_the_audit_refuses_days_no_calendar_holds(
    personas: Personas, since: str, until: str
) -> None:
    response = signed_in(personas.owner).get(
        reverse("accounts:audit"), {"since": since, "until": until}
    )
    assert response.status_code == 422
    assert "between the years 1900 and 2200" in response.content.decode()


def test_a_time_no_calendar_holds_is_refused_when_rescheduling() -> None:
    appointment = booked()
    token = manage_token_make(appointment)
    url = reverse("booking:manage_reschedule_confirm", kwargs={"token": token})
    response = Client().post(f"{url}?start={quote('0001-01-01T00:00:00-05:00')}")
    assert response.status_code == 422
    assert "between the years 1900 and 2200" in response.content.decode()
    assert (
        reverse("booking:manage_reschedule", kwargs={"token": token}) in response.content.decode()
    )
    appointment.refresh_from_db()
    assert appointment.start == local(3, 10)
