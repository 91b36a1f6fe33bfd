import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from alliance.booking.appointments import appointment_book
from alliance.booking.models import Appointment, AppointmentStatus
from alliance.booking.tokens import manage_token_make
from alliance.practice.models import Accepting
from tests.booking.fixtures import bookable_therapist, client, consultation_type, local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _bookable() -> None:
    bookable_therapist()
    consultation_type()


SLOTS = reverse("booking:slots", args=["bo-bookable"])
CONFIRM = reverse("booking:confirm", args=["bo-bookable"])


def confirm_url(start: Any, tz: str = "") -> str:
    return f"{CONFIRM}?type=consultation&start={start.isoformat().replace('+', '%2B')}" + (
        f"&tz={tz}" if tz else ""
    )


def details(**overrides: str) -> dict[str, str]:
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "name": "Riley Visitor",
        "email": "riley@example.com",
        "phone": "",
        "format": "telehealth",
        "consent": "on",
    }
    data.update(overrides)
    return data


def test_the_week_shows_free_times_with_their_zone() -> None:
    page = Client().get(SLOTS, {"week": local(3, 0).date().isoformat()}).content.decode()
    assert "Book a free 15-minute consultation" in page
    assert re.search(r"8:00 AM E[SD]T", page)
    assert "Times shown in" in page


def test_a_client_in_another_zone_sees_their_own_times() -> None:
    day = local(3, 0).date().isoformat()
    page = Client().get(SLOTS, {"week": day, "tz": "America/Los_Angeles"}).content.decode()
    assert re.search(r"5:00 AM P[SD]T", page)  # 8:00 in New York
    nonsense = Client().get(SLOTS, {"week": day, "tz": "Mars/Olympus"})
    assert nonsense.status_code == 200
    assert re.search(r"8:00 AM E[SD]T", nonsense.content.decode())


def test_weeks_page_forward_and_bad_weeks_fall_back_to_today() -> None:
    response = Client().get(SLOTS, {"week": "not-a-date"})
    assert response.status_code == 200
    assert response.context["week"].previous is None
    assert response.context["week"].next is not None


def test_a_therapist_not_accepting_cannot_be_booked() -> None:
    therapist = bookable_therapist()
    therapist.accepting = Accepting.NO
    therapist.save()
    assert "not taking new clients" in Client().get(SLOTS).content.decode()
    response = Client().post(confirm_url(local(3, 10)), details())
    assert response.status_code == 302
    assert Appointment.objects.count() == 0


def test_booking_a_time_confirms_it_without_personal_data_in_the_address() -> None:
    browser = Client()
    assert "Confirm your" in browser.get(confirm_url(local(3, 10))).content.decode()
    response = browser.post(confirm_url(local(3, 10)), details(), follow=True)
    assert response.redirect_chain == [(reverse("booking:booked"), 302)]
    assert "You are booked" in response.content.decode()
    appointment = Appointment.objects.get()
    assert appointment.start == local(3, 10)
    assert appointment.client.email == "riley@example.com"
    assert appointment.format == "telehealth"


def test_a_double_submit_books_once() -> None:
    data = details()
    browser = Client()
    browser.post(confirm_url(local(3, 10)), data)
    second = browser.post(confirm_url(local(3, 10)), data, follow=True)
    assert "You are booked" in second.content.decode()
    assert Appointment.objects.count() == 1


def test_the_loser_of_a_race_sees_just_taken_and_three_times_and_keeps_their_details() -> None:
    Client().post(confirm_url(local(3, 10)), details())
    response = Client().post(confirm_url(local(3, 10)), details(name="Second Person"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "That time was just taken" in page
    assert page.count('formaction="?type=consultation') == 3
    assert 'value="Second Person"' in page
    assert Appointment.objects.count() == 1


def test_mistakes_are_explained_and_nothing_is_booked() -> None:
    response = Client().post(confirm_url(local(3, 10)), details(email="", consent=""))
    page = response.content.decode()
    assert "This field is required." in page
    assert "We need your permission to send the confirmation." in page
    assert 'value="Riley Visitor"' in page
    assert Appointment.objects.count() == 0


def test_a_time_that_was_never_offered_is_refused_kindly() -> None:
    page = Client().post(confirm_url(local(3, 22)), details()).content.decode()
    assert "That time is not available" in page
    assert Appointment.objects.count() == 0


def test_no_time_in_the_address_goes_back_to_the_week() -> None:
    response = Client().get(f"{CONFIRM}?start=")
    assert response.status_code == 302
    assert response["Location"] == SLOTS


@pytest.mark.parametrize("start", ["yesterday", "2026-13-45T99:00", "2030-01-01T10:00"])
def test_a_broken_time_in_the_address_is_refused_with_a_way_back(start: str) -> None:
    response = Client().get(f"{CONFIRM}?start={start}")
    assert response.status_code == 422
    assert f'href="{SLOTS}?type=consultation"' in response.content.decode()


FIELDS = ["idempotency_key", "name", "email", "phone", "format", "consent", "extra"]
hostile = st.text(max_size=200) | st.sampled_from(["\x00", "<script>", "9" * 3000, ""])


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dictionaries(st.sampled_from(FIELDS), hostile), st.sampled_from(["", "x", "10:00"]))
def test_it_never_fails_on_hostile_input(data: dict[str, str], start: str) -> None:
    url = confirm_url(local(3, 10)) if start == "10:00" else f"{CONFIRM}?start={start}"
    assert Client().post(url, data).status_code in (200, 302, 422)


def booked(hours_ahead: int = 72) -> Appointment:
    # Not a wall-clock hour today: that could already be past when the suite runs late.
    soon = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=hours_ahead)
    start = local(3, 10) if hours_ahead == 72 else soon
    return appointment_book(
        therapist=bookable_therapist(),
        appointment_type=consultation_type(),
        client=client(),
        start=start,
        format="telehealth",
        within_availability=hours_ahead == 72,
    )


def manage_url(appointment: Appointment, view: str = "booking:manage") -> str:
    return reverse(view, kwargs={"token": manage_token_make(appointment)})


def test_the_manage_link_shows_the_appointment() -> None:
    appointment = booked()
    page = Client().get(manage_url(appointment)).content.decode()
    assert "Your appointment" in page
    assert "Choose a new time" in page
    assert "casey@example.com" not in page  # nothing to learn from a forwarded link


@pytest.mark.parametrize("token", ["nonsense", "a" * 300, "eyJ9:abc:def"])
def test_a_forged_link_explains_itself(token: str) -> None:
    response = Client().get(reverse("booking:manage", kwargs={"token": token}))
    assert response.status_code == 404
    assert "This link no longer works" in response.content.decode()


def test_a_revoked_link_stops_working() -> None:
    appointment = booked()
    url = manage_url(appointment)
    appointment.token_version += 1
    appointment.save()
    assert Client().get(url).status_code == 404


def test_rescheduling_through_the_link() -> None:
    appointment = booked()
    new_start = local(4, 11)
    url = manage_url(appointment, "booking:manage_reschedule_confirm")
    query = f"?start={new_start.isoformat().replace('+', '%2B')}"
    assert "Move it to" in Client().get(url + query).content.decode()
    response = Client().post(url + query)
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == new_start
    assert appointment.sequence == 1


def test_cancelling_states_the_policy_before_confirming() -> None:
    soon = booked(hours_ahead=30)
    with_policy = Client().get(manage_url(soon, "booking:manage_cancel")).content.decode()
    assert "more than 24 hours ahead" in with_policy
    Client().post(manage_url(soon, "booking:manage_cancel"))
    soon.refresh_from_db()
    assert soon.status == AppointmentStatus.CANCELLED
    assert soon.late_cancellation is False


def test_a_late_cancellation_is_named_and_recorded() -> None:
    late = booked(hours_ahead=5)
    page = Client().get(manage_url(late, "booking:manage_cancel")).content.decode()
    assert "This is a late cancellation" in page
    Client().post(manage_url(late, "booking:manage_cancel"))
    late.refresh_from_db()
    assert late.late_cancellation is True


def test_only_the_formats_offered_at_that_time_are_offered() -> None:
    from alliance.booking.models import WorkingHours

    WorkingHours.objects.filter(format="in_person").delete()
    page = Client().get(confirm_url(local(3, 10))).content.decode()
    assert 'value="telehealth"' in page
    assert 'value="in_person"' not in page


def test_a_time_no_longer_offered_says_so_before_the_form_is_filled() -> None:
    Client().post(confirm_url(local(3, 10)), details())
    page = Client().get(confirm_url(local(3, 10))).content.decode()
    assert "That time was just taken" in page
    assert page.count('formaction="?type=consultation') == 3


# Sessions, which only clients book, are confirmed by e-mail: tests/booking/test_session_links.py.


def test_types_the_practice_keeps_to_itself_cannot_be_booked_online() -> None:
    from alliance.booking.models import AppointmentType

    AppointmentType.objects.update_or_create(
        slug="intake",
        defaults={
            "duration_minutes": 60,
            "bookable_by_public": False,
            "bookable_by_clients": False,
        },
    )
    assert Client().get(SLOTS, {"type": "intake"}).status_code == 404
