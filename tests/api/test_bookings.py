"""POST /api/v1/bookings: a visitor books one of the free times."""

import uuid
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from alliance.accounts.tokens import api_token_create
from alliance.booking.models import Appointment, AppointmentStatus, WorkingHours
from alliance.clients.models import Client as ClientRecord
from alliance.practice.models import Therapist
from tests.api.helpers import booking, locations, post
from tests.booking.fixtures import (
    local,
    session_type,
)
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def test_it_books_a_free_time(therapist: Therapist) -> None:
    response = post("/bookings", booking(therapist, phone="(239) 555-0142"))
    assert response.status_code == 201, response.content
    appointment = Appointment.objects.get()
    assert response.json() == {
        "id": str(appointment.uuid),
        "start": local(3, 10).isoformat(),
        "end": local(3, 10, 15).isoformat(),
        "status": "booked",
        "format": "telehealth",  # both offered at ten: telehealth
    }
    assert appointment.start == local(3, 10)
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.client.name == "Riley Visitor"
    assert appointment.client.phone == "(239) 555-0142"
    assert appointment.idempotency_key is not None
    assert appointment.idempotency_key.startswith("api:")


def test_the_only_format_offered_at_that_time_is_used(therapist: Therapist) -> None:
    WorkingHours.objects.filter(therapist=therapist, format="telehealth").update(end=time(9))
    response = post("/bookings", booking(therapist))
    assert response.json()["format"] == "in_person"
    assert Appointment.objects.get().format == "in_person"


def test_a_format_may_be_chosen(therapist: Therapist) -> None:
    response = post("/bookings", booking(therapist, format="in_person"))
    assert response.status_code == 201
    assert Appointment.objects.get().format == "in_person"


def test_a_format_not_offered_at_that_time_is_refused(therapist: Therapist) -> None:
    WorkingHours.objects.filter(therapist=therapist, format="in_person").update(end=time(9))
    response = post("/bookings", booking(therapist, format="in_person"))
    assert locations(response) == [["body", "payload", "format"]]
    assert "telehealth" in response.json()["detail"][0]["msg"]
    assert not Appointment.objects.exists()


def test_the_same_time_again_is_a_conflict_with_the_next_free_times(therapist: Therapist) -> None:
    assert post("/bookings", booking(therapist)).status_code == 201
    response = post("/bookings", booking(therapist, email="someone.else@example.com"))
    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == "That time was just taken."
    starts = [datetime.fromisoformat(free["start"]) for free in body["alternatives"]]
    assert len(starts) == 3
    assert all(start > local(3, 10) for start in starts)
    assert Appointment.objects.count() == 1


def test_a_retry_with_the_same_idempotency_key_returns_the_first_booking(
    therapist: Therapist,
) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = post("/bookings", booking(therapist), headers=key)
    again = post("/bookings", booking(therapist), headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Appointment.objects.count() == ClientRecord.objects.count() == 1
    # Stored hashed with who sent it and what: the key itself is nowhere.
    assert key["Idempotency-Key"] not in str(Appointment.objects.get().idempotency_key)


def test_the_same_key_from_another_address_books_on_its_own(therapist: Therapist) -> None:
    key = {"Idempotency-Key": "booking-1"}
    mine = post("/bookings", booking(therapist), headers=key, address="192.0.2.1")
    theirs = post(
        "/bookings",
        booking(therapist, start=local(3, 11).isoformat(), name="Sasha", email="s@example.com"),
        headers=key,
        address="192.0.2.2",
    )
    assert mine.status_code == theirs.status_code == 201
    assert theirs.json()["id"] != mine.json()["id"]
    assert sorted(ClientRecord.objects.values_list("name", flat=True)) == ["Riley Visitor", "Sasha"]


def test_the_same_key_and_body_from_another_address_never_sees_the_first_booking(
    therapist: Therapist,
) -> None:
    key = {"Idempotency-Key": "booking-1"}
    mine = post("/bookings", booking(therapist), headers=key, address="192.0.2.1")
    theirs = post("/bookings", booking(therapist), headers=key, address="192.0.2.2")
    assert mine.status_code == 201
    assert theirs.status_code == 409  # the time is taken, by someone they cannot see
    assert "id" not in theirs.json()


def test_a_staff_token_and_an_anonymous_caller_at_one_address_are_two_callers(
    therapist: Therapist, personas: Personas
) -> None:
    key = "booking-1"
    token = {"Authorization": f"Bearer {api_token_create(user=personas.frontdesk)}"}
    staff = post("/bookings", booking(therapist), headers=token | {"Idempotency-Key": key})
    anonymous = post(
        "/bookings",
        booking(therapist, start=local(3, 11).isoformat()),
        headers={"Idempotency-Key": key},
    )
    again = post("/bookings", booking(therapist), headers=token | {"Idempotency-Key": key})
    assert staff.status_code == anonymous.status_code == again.status_code == 201
    assert anonymous.json()["id"] != staff.json()["id"] == again.json()["id"]


def test_the_same_key_with_another_body_is_refused(therapist: Therapist) -> None:
    key = {"Idempotency-Key": "booking-1"}
    assert post("/bookings", booking(therapist), headers=key).status_code == 201
    other = post("/bookings", booking(therapist, start=local(3, 11).isoformat()), headers=key)
    assert locations(other) == [["header", "Idempotency-Key"]]
    assert "a different body" in other.json()["detail"][0]["msg"]
    assert Appointment.objects.count() == 1


def test_without_a_key_each_request_is_a_new_booking(therapist: Therapist) -> None:
    assert post("/bookings", booking(therapist)).status_code == 201
    assert post("/bookings", booking(therapist, start=local(3, 11).isoformat())).status_code == 201
    keys = set(Appointment.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == 2


def test_a_time_that_was_never_offered_is_refused_with_the_reason(therapist: Therapist) -> None:
    for start in (local(3, 22), local(3, 10, 7), local(0, 0) - timedelta(days=1)):
        response = post("/bookings", booking(therapist, start=start.isoformat()))
        assert locations(response) == [["body", "payload", "start"]]
        assert "That time" in response.json()["detail"][0]["msg"]  # the service's own words
    assert not Appointment.objects.exists()


def test_a_therapist_not_taking_new_clients_cannot_be_booked(therapist: Therapist) -> None:
    therapist.accepting = "no"
    therapist.save()
    response = post("/bookings", booking(therapist))
    assert locations(response) == [["body", "payload", "therapist_id"]]
    assert "not taking new clients" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "riley-at-example"}, "email"),
        ({"email": ""}, "email"),
        ({"name": None}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "R" * 121}, "name"),
        ({"name": "Riley\x00"}, "name"),
        ({"phone": "call me"}, "phone"),
        ({"start": "2030-03-10T10:00:00"}, "start"),  # no offset
        ({"start": "tomorrow at ten"}, "start"),
        ({"start": "9999-12-31T23:59:59+00:00"}, "start"),
        ({"type": "nonesuch"}, "type"),
        ({"type": "session"}, "type"),  # not bookable by the public
        ({"therapist_id": 999_999}, "therapist_id"),
        ({"therapist_id": 2**70}, "therapist_id"),
        ({"therapist_id": "Bo"}, "therapist_id"),
        ({"format": "carrier pigeon"}, "format"),
    ],
)
def test_invalid_input_is_refused_naming_the_field(
    therapist: Therapist, overrides: dict[str, Any], field: str
) -> None:
    session_type()
    body = {
        key: value for key, value in booking(therapist, **overrides).items() if value is not None
    }
    response = post("/bookings", body)
    assert ["body", "payload", field] in locations(response)
    assert not Appointment.objects.exists()


def test_an_unlisted_therapist_is_not_bookable(therapist: Therapist) -> None:
    therapist.is_listed = False
    therapist.save()
    assert locations(post("/bookings", booking(therapist))) == [["body", "payload", "therapist_id"]]


def test_an_overlong_idempotency_key_is_named() -> None:
    response = post("/bookings", {}, headers={"Idempotency-Key": "k" * 77})
    assert ["header", "Idempotency-Key"] in locations(response)


@pytest.mark.parametrize("body", ["{not json", '{"name": "Riley",', "\x00"])
def test_a_body_that_is_not_json_is_a_bad_request(body: str) -> None:
    response = post("/bookings", body)
    assert response.status_code == 400
    assert response.json()["detail"]


@pytest.mark.parametrize("body", ["[]", "null", '"Riley"', "42"])
def test_a_body_that_is_not_an_object_is_invalid(body: str) -> None:
    assert post("/bookings", body).status_code == 422


def test_it_needs_no_csrf_token(therapist: Therapist) -> None:
    """Other programs call it; there is no session to protect."""
    strict = Client(enforce_csrf_checks=True)
    assert post("/bookings", booking(therapist), client=strict).status_code == 201


def test_too_many_bookings_from_one_address_are_refused(
    therapist: Therapist, settings: SettingsWrapper
) -> None:
    settings.BOOKING_RATE_LIMIT = "2/m"
    for hour in (9, 10):
        start = local(3, hour).isoformat()
        assert post("/bookings", booking(therapist, start=start)).status_code == 201
    refused = post("/bookings", booking(therapist, start=local(3, 11).isoformat()))
    assert refused.status_code == 429
    assert refused.json() == {
        "detail": "Too many bookings from this address; try again in a minute."
    }
    assert 0 < int(refused["Retry-After"]) <= 60
    assert Appointment.objects.count() == 2
    other_address = post(
        "/bookings", booking(therapist, start=local(3, 12).isoformat()), address="192.0.2.7"
    )
    assert other_address.status_code == 201


def test_the_limit_counts_invalid_attempts_too(settings: SettingsWrapper) -> None:
    settings.BOOKING_RATE_LIMIT = "3/h"
    statuses = [post("/bookings", {"name": "x"}).status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]
    assert "try again in 60 minutes" in post("/bookings", {}).json()["detail"]


def test_a_session_is_refused_alike_for_a_clients_address_and_a_strangers(
    therapist: Therapist,
) -> None:
    # Sessions are confirmed by e-mail on the website (tests/booking/test_session_links.py);
    # the anonymous API books none, and its answer does not tell who is a client.
    session_type()
    ClientRecord.objects.create(name="Kim Known", email="kim@example.com", therapist=therapist)
    clients = post("/bookings", booking(therapist, type="session", email="kim@example.com"))
    strangers = post("/bookings", booking(therapist, type="session", email="x@example.com"))
    assert clients.status_code == strangers.status_code == 422
    assert clients.json() == strangers.json()
    assert not Appointment.objects.exists()
