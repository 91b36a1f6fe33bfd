"""Whatever arrives, the API answers with JSON and a 4xx, never a 500."""

from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pytest_django.fixtures import Settings

from alliance.practice.models import Therapist
from tests.api.helpers import get, post
from tests.booking.fixtures import bookable_therapist, consultation_type, local

pytestmark = pytest.mark.django_db

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=50)
    | st.sampled_from(["\x00", "9" * 3000, "", "consultation", "session", "telehealth"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = ["therapist_id", "type", "start", "name", "email", "phone", "format", "extra"]
plausible = st.sampled_from(
    [1, 2, local(3, 10).isoformat(), "2030-01-01T10:00:00", "Riley", "riley@example.com"]
)
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
    response = post("/bookings", body)
    assert response.status_code in (201, 400, 409, 422), response.content
    assert "detail" in response.json() or response.status_code == 201


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=200))
def test_bookings_never_fail_on_hostile_bytes(therapist: Therapist, body: bytes) -> None:
    # Django's test client leaves out the Content-Type of an empty body: not declared JSON.
    assert post("/bookings", body).status_code in ((400, 422) if body else (415,))


hostile_text = st.text(max_size=30) | st.sampled_from(["\x00", "-1", "2026-02-30", "9" * 400])


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
