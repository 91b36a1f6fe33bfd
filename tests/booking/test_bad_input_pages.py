"""What no browser sends, the pages still answer with a clear refusal, never a 500."""

import uuid
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from alliance.booking.models import Appointment, ConsultationRequest, TimeOff, WaitlistEntry
from alliance.booking.tokens import manage_token_make
from tests.booking.fixtures import bookable_therapist, consultation_type, local
from tests.booking.test_booking_pages import booked
from tests.conftest import Personas, signed_in
from tests.hostile import utf7_form_post

pytestmark = pytest.mark.django_db

CONFIRM = reverse("booking:confirm", args=["bo-bookable"])
SLOTS = reverse("booking:slots", args=["bo-bookable"])
SCHEDULE = reverse("booking:schedule")
UNSTORABLE = "This has a character that cannot be stored"


@pytest.fixture(autouse=True)
def _bookable() -> None:
    bookable_therapist()
    consultation_type()


def confirm_url(start: str) -> str:
    return f"{CONFIRM}?type=consultation&start={quote(start)}"


def public_form(name: str) -> tuple[str, dict[str, str]]:
    """A public form's address and its fields, with half a surrogate pair in the name."""
    token = {"submission_token": str(uuid.uuid4())}
    person = {"name": "Sam \ud800", "email": "sam@example.com", "consent": "on"}
    if name == "consultation":
        return reverse("booking:consultation"), token | person | {"preferred_contact": "email"}
    if name == "waitlist":
        return reverse("booking:waitlist_join", args=["bo-bookable"]), token | person
    # New York's offsets are negative: no "+" in the address for UTF-7 to read differently.
    key = {"idempotency_key": str(uuid.uuid4()), "format": "telehealth"}
    return confirm_url(local(3, 10).isoformat()), key | person


@pytest.mark.parametrize("name", ["consultation", "booking", "waitlist"])
def test_a_public_form_with_unstorable_text_comes_back_with_the_field_named(name: str) -> None:
    url, fields = public_form(name)
    response = utf7_form_post(Client(), url, fields)
    assert response.status_code == 200
    page = response.content.decode()
    assert UNSTORABLE in page
    assert 'value="Sam \ufffd"' in page
    assert response.context["form"].errors.keys() == {"name"}
    assert not ConsultationRequest.objects.exists()
    assert not Appointment.objects.exists()
    assert not WaitlistEntry.objects.exists()


def test_a_staff_form_with_unstorable_text_names_the_field(personas: Personas) -> None:
    url = reverse("booking:availability", args=[personas.tara.slug])
    day = local(3, 10).date().isoformat()
    fields = {"action": "add_time_off", "first_day": day, "last_day": day, "note": "Away \udc00"}
    response = utf7_form_post(signed_in(personas.therapist), url, fields)
    assert response.context["time_off_form"].errors.keys() == {"note"}
    assert 'value="Away \ufffd"' in response.content.decode()
    assert not TimeOff.objects.exists()


@pytest.mark.parametrize(
    "name", ["account_login", "account_reset_password", "admin:login", "account_logout"]
)
def test_forms_that_are_not_ours_show_unstorable_text_back_instead_of_failing(
    personas: Personas, name: str
) -> None:
    fields = {"login": "olivia\ud800@example.com", "password": "x\udc00", "username": "\ud800"}
    response = utf7_form_post(Client(), reverse(name), fields | {"email": fields["login"]})
    assert response.status_code in (200, 302)
    assert "\ufffd" in response.content.decode() or response.status_code == 302


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"{SLOTS}?type=%2B2AA-", 404),
        (f"{CONFIRM}?type=%2B2AA-&start=2030-01-01T10:00:00-05:00", 404),
        (f"{SCHEDULE}?therapist=%2B2AA-", 200),
    ],
)
def test_a_query_read_as_utf7_finds_nothing_instead_of_failing(
    personas: Personas, path: str, status: int
) -> None:
    # A body declared as UTF-7 has Django read the query string as UTF-7 too.
    staff = signed_in(personas.owner)
    response = staff.generic("GET", path, "x", content_type="text/plain; charset=utf-7")
    assert response.status_code == status


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
    assert SLOTS in page
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2201-01-01"])
def test_the_schedule_on_a_day_no_calendar_holds_shows_today(personas: Personas, day: str) -> None:
    response = signed_in(personas.therapist).get(SCHEDULE, {"date": day})
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


@pytest.mark.parametrize("csrf_checked", [False, True])
def test_a_form_too_large_to_read_is_refused_with_a_page(csrf_checked: bool) -> None:
    # Checked, the CSRF middleware is the first to read the form; unchecked, the view.
    browser = Client(enforce_csrf_checks=csrf_checked)
    url = reverse("booking:consultation")
    token = browser.get(url).context["csrf_token"]
    response = browser.post(
        url, {"csrfmiddlewaretoken": token, "name": "S" * 6_000_000, "consent": "on"}
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "That was too much to send" in page
    assert "at most 5 MB" in page
    assert not ConsultationRequest.objects.exists()
