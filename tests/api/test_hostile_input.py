"""Whatever arrives, the API answers with JSON and a 4xx, never a 500."""

import json
import uuid
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pytest_django.fixtures import Settings

from alliance.booking.models import Appointment
from alliance.practice.models import Therapist
from tests.api.helpers import API, booking, get, post
from tests.booking.fixtures import bookable_therapist, consultation_type, local
from tests.hostile import EXTREME_TIMES, any_text

pytestmark = pytest.mark.django_db

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | any_text
    | st.sampled_from(
        ["\x00", "\ud800", "9" * 3000, "", "consultation", "session", "telehealth", *EXTREME_TIMES]
    ),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = ["therapist_id", "type", "start", "name", "email", "phone", "format", "extra"]
PLAUSIBLE = [1, 2, local(3, 10).isoformat(), "2030-01-01T10:00:00", "Riley", "riley@example.com"]
plausible = st.sampled_from([*PLAUSIBLE, *EXTREME_TIMES])
bodies = st.dictionaries(st.sampled_from(FIELDS), json_values | plausible) | json_values


@pytest.fixture
def therapist(settings: Settings) -> Therapist:
    settings.BOOKING_RATE_LIMIT = "100000/m"  # the limit has its own tests
    consultation_type()
    return bookable_therapist()


@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(bodies)
def test_bookings_never_fail_on_hostile_json(therapist: Therapist, body: Any) -> None:
    # A bare string goes as it is, not as JSON: the bytes UTF-8 would give a lone surrogate.
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    response = post("/bookings", raw)
    assert response.status_code in (201, 400, 409, 415, 422), response.content
    # Django's test client sends an empty body (from None, "", 0) without a Content-Type.
    assert response.status_code != 415 or "CONTENT_TYPE" not in response.request
    assert "detail" in response.json() or response.status_code == 201


@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from(FIELDS), st.none() | st.integers() | any_text | st.sampled_from(EXTREME_TIMES)
)
def test_a_booking_with_one_hostile_field_never_fails(
    therapist: Therapist, field: str, value: Any
) -> None:
    response = post("/bookings", booking(therapist, **{field: value}))
    assert response.status_code in (201, 409, 422), response.content


@hypothesis_settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from(["name", "email", "start", "padding"]), st.integers(6, 12))
def test_bookings_refuse_huge_bodies(therapist: Therapist, field: str, megabytes: int) -> None:
    response = post("/bookings", booking(therapist, **{field: "x" * megabytes * 2**20}))
    assert response.status_code == 413
    assert not Appointment.objects.exists()


media_types = st.sampled_from(
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=utf-16",
        "application/json-seq",
        "",
    ]
) | st.from_regex(r"[a-z]{1,12}/[a-z0-9.+-]{1,16}(; ?charset=[a-zA-Z0-9-]{1,10})?", fullmatch=True)


@hypothesis_settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(media_types, st.binary(max_size=200) | st.just(b"{}"))
def test_bookings_refuse_whatever_is_not_declared_json(
    therapist: Therapist, media_type: str, body: bytes
) -> None:
    # A well-formed booking under the wrong type is refused like garbage is.
    declared_json = media_type.split(";")[0] == "application/json" and (
        "charset" not in media_type or media_type.lower().endswith("charset=utf-8")
    )
    booked = Appointment.objects.count()
    for sent in (body, json.dumps(booking(therapist)).encode()):
        # generic(), unlike post(), sends the bytes as they are, whatever charset is named.
        response = Client().generic("POST", f"{API}/bookings", sent, content_type=media_type)
        assert declared_json or response.status_code == 415, (media_type, response.content)
        assert response.status_code < 500
    assert declared_json or Appointment.objects.count() == booked


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["k1", "k2"]),
            st.sampled_from(["192.0.2.1", "192.0.2.2"]),
            st.integers(0, 2),
        ),
        min_size=2,
        max_size=8,
    )
)
def test_reused_idempotency_keys_never_cross_callers(
    therapist: Therapist, sends: list[tuple[str, str, int]]
) -> None:
    # The database lives on across examples; keys new to this example keep them apart.
    run = uuid.uuid4().hex
    booked: dict[tuple[str, str], tuple[int, Any]] = {}  # what each caller's key booked
    owner: dict[str, str] = {}
    for key, address, hour in sends:
        body = booking(therapist, start=local(4, 9 + hour).isoformat(), email=f"{address}@x.org")
        response = post("/bookings", body, headers={"Idempotency-Key": run + key}, address=address)
        answer = response.json()
        earlier = booked.get((key, address))
        if earlier is not None and earlier[0] != hour:
            assert response.status_code == 422, answer  # the same key with another body
        elif earlier is not None:
            assert (response.status_code, answer) == earlier[1]  # a retry: the first booking
        if response.status_code == 201:
            booked.setdefault((key, address), (hour, (201, answer)))
            assert owner.setdefault(answer["id"], address) == address  # never another's booking


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=200))
def test_bookings_never_fail_on_hostile_bytes(therapist: Therapist, body: bytes) -> None:
    # Django's test client leaves out the Content-Type of an empty body: not declared JSON.
    assert post("/bookings", body).status_code in ((400, 422) if body else (415,))


hostile_text = st.text(max_size=30) | st.sampled_from(
    ["\x00", "-1", "2026-02-30", "9" * 400, *EXTREME_TIMES]
)


@hypothesis_settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(st.sampled_from(["type", "start", "end", "extra"]), hostile_text),
    st.integers() | hostile_text,
)
def test_slots_never_fail_on_hostile_parameters(
    therapist: Therapist, params: dict[str, str], therapist_id: int | str
) -> None:
    response = get(f"/therapists/{therapist_id}/slots", **params)
    assert response.status_code in (200, 404, 422), response.content
