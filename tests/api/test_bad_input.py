"""Input no program should send still gets a clear 4xx: too big (413), not JSON (415), text that
cannot be stored or a time that cannot be (422)."""

import json

import pytest
from django.test import Client

from alliance.accounts.tokens import api_token_create
from alliance.booking.models import Appointment
from alliance.clients.models import Client as ClientRecord
from alliance.practice.models import Therapist
from tests.api.helpers import API, booking, get, locations, post
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def test_a_ten_megabyte_body_is_too_large(therapist: Therapist) -> None:
    huge = booking(therapist, name="R" * 10_000_000)
    response = post("/bookings", huge)
    assert response.status_code == 413
    assert response.json() == {"detail": "The request is too large: send at most 5 MB."}
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/plain; charset=utf-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin-1",
        "application/jsonp",
        "",
    ],
)
def test_a_body_that_is_not_declared_json_is_refused(
    therapist: Therapist, content_type: str
) -> None:
    # What a page on another site can send without asking first (a "simple" request).
    response = Client().post(
        f"{API}/bookings",
        json.dumps(booking(therapist)),
        content_type=content_type,
    )
    assert response.status_code == 415
    assert response.json() == {
        "detail": "Send the body as JSON, with Content-Type: application/json."
    }
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"]
)
def test_json_with_or_without_a_charset_is_accepted(
    therapist: Therapist, content_type: str
) -> None:
    body = json.dumps(booking(therapist))
    response = Client().post(f"{API}/bookings", body, content_type=content_type)
    assert response.status_code == 201, response.content


def test_a_lone_surrogate_is_refused_naming_the_field(therapist: Therapist) -> None:
    # JSON may escape half of a UTF-16 pair, which no database can store.
    body = json.dumps(booking(therapist, name="Riley HALF")).replace("HALF", "\\ud800")
    response = post("/bookings", body)
    assert locations(response) == [["body", "payload", "name"]]
    assert "cannot be stored" in response.json()["detail"][0]["msg"]
    assert not ClientRecord.objects.exists()


YEARS = "between the years 1900 and 2200"
OFFSET = "between -14:00 and +14:00"


@pytest.mark.parametrize(
    ("start", "reason"),
    [
        ("9999-12-31T23:59:59+00:00", YEARS),
        ("0001-01-01T00:00:00-05:00", YEARS),
        ("1899-12-31T23:00:00+00:00", YEARS),
        ("2200-12-31T23:00:00-05:00", YEARS),  # 2201 in UTC
        ("2030-03-10T10:00:00+23:59", OFFSET),
        ("2030-03-10T10:00:00-14:01", OFFSET),
    ],
)
def test_a_start_no_calendar_could_hold_is_refused(
    therapist: Therapist, start: str, reason: str
) -> None:
    response = post("/bookings", booking(therapist, start=start))
    assert locations(response) == [["body", "payload", "start"]]
    assert reason in response.json()["detail"][0]["msg"]
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("start", "end"),
    [("0001-01-01", "0001-01-02"), ("2300-01-01", "2300-01-02"), ("2030-01-01", "9999-12-31")],
)
def test_days_outside_the_calendar_are_refused(therapist: Therapist, start: str, end: str) -> None:
    response = get(f"/therapists/{therapist.pk}/slots", start=start, end=end)
    assert response.status_code == 422
    assert YEARS in response.json()["detail"][0]["msg"]


def test_a_staff_program_is_told_which_field_cannot_be_stored(personas: Personas) -> None:
    token = api_token_create(user=personas.owner)
    body = json.dumps({"name": "Casey HALF", "therapist_id": personas.tara.pk})
    response = post(
        "/clients",
        body.replace("HALF", "\\udfff"),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert locations(response) == [["body", "payload", "name"]]
    assert not ClientRecord.objects.exists()


def test_a_staff_program_sends_json_too(personas: Personas) -> None:
    token = api_token_create(user=personas.owner)
    response = Client().post(
        f"{API}/clients",
        json.dumps({"name": "Casey Client", "therapist_id": personas.tara.pk}),
        content_type="text/plain",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 415
    assert not ClientRecord.objects.exists()
