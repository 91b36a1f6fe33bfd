"""Every public form has a rate limit per client address (PUBLIC_FORM_RATE_LIMIT): the next POST
is refused with 429, the same form and everything typed in it, and nothing saved; another
address is still served."""

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from alliance.booking.appointments import appointment_book
from alliance.booking.models import (
    Appointment,
    AppointmentStatus,
    ConsultationRequest,
    WaitlistEntry,
)
from alliance.booking.tokens import manage_token_make
from alliance.clients.models import Client as CareClient
from alliance.outbox.sending import outbox_flush
from alliance.practice.models import Accepting, Practice
from tests.booking.fixtures import bookable_therapist, client, consultation_type, local
from tests.booking.test_booking_pages import confirm_url, details
from tests.booking.test_consultation_request import form_data
from tests.booking.test_session_links import LINK, asked_for, run_worker
from tests.booking.test_waitlist import booked_then_cancelled, join, offer_link
from tests.smtp import SmtpServer, message_parts

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as HttpResponse

pytestmark = pytest.mark.django_db

LIMIT_MESSAGE = "You have sent this form several times in a short while."
ONE = "198.51.100.7"
OTHER = "203.0.113.20"


@pytest.fixture(autouse=True)
def _three_an_hour(settings: Settings) -> Iterator[None]:
    settings.PUBLIC_FORM_RATE_LIMIT = "3/h"
    bookable_therapist()
    consultation_type()
    cache.clear()
    yield
    cache.clear()


def from_address(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def assert_refused_kindly(response: "HttpResponse") -> str:
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    page = response.content.decode()
    assert LIMIT_MESSAGE in page
    return page


def test_the_fourth_consultation_request_from_one_address_is_refused_with_its_text_kept(
    personas: Any,
) -> None:
    url = reverse("booking:consultation")
    for number in range(3):
        accepted = from_address(ONE).post(url, form_data(name=f"Person {number}"))
        assert accepted.status_code == 302
    refused = from_address(ONE).post(
        url, form_data(name="Fourth Person", message="Trouble sleeping since June.")
    )
    page = assert_refused_kindly(refused)
    assert 'value="Fourth Person"' in page
    assert "Trouble sleeping since June." in page
    assert ConsultationRequest.objects.count() == 3
    assert from_address(OTHER).post(url, form_data(name="Someone Else")).status_code == 302
    assert ConsultationRequest.objects.count() == 4


def test_the_fourth_booking_from_one_address_is_refused_with_its_details_kept() -> None:
    for hour in (10, 11, 12):
        accepted = from_address(ONE).post(confirm_url(local(3, hour)), details())
        assert accepted.status_code == 302
    refused = from_address(ONE).post(
        confirm_url(local(3, 14)), details(name="Fourth Booker", email="fourth@example.com")
    )
    page = assert_refused_kindly(refused)
    assert 'value="Fourth Booker"' in page
    assert 'value="fourth@example.com"' in page
    assert Appointment.objects.count() == 3
    other = from_address(OTHER).post(confirm_url(local(3, 14)), details())
    assert other.status_code == 302
    assert Appointment.objects.count() == 4


def test_the_fourth_waitlist_join_from_one_address_is_refused_with_its_details_kept() -> None:
    therapist = bookable_therapist()
    therapist.accepting = Accepting.WAITLIST
    therapist.save()
    url = reverse("booking:waitlist_join", args=["bo-bookable"])

    def joining(name: str) -> dict[str, str]:
        return {
            "submission_token": str(uuid.uuid4()),
            "name": name,
            "email": f"{name.lower()}@example.com",
            "phone": "239-555-0100",
            "consent": "on",
        }

    for name in ("Ada", "Ben", "Cy"):
        assert from_address(ONE).post(url, joining(name)).status_code == 302
    page = assert_refused_kindly(from_address(ONE).post(url, joining("Dee")))
    assert 'value="Dee"' in page
    assert 'value="dee@example.com"' in page
    assert 'value="239-555-0100"' in page
    assert WaitlistEntry.objects.count() == 3
    assert from_address(OTHER).post(url, joining("Dee")).status_code == 302
    assert WaitlistEntry.objects.count() == 4


def booked(hour: int) -> Appointment:
    return appointment_book(
        therapist=bookable_therapist(),
        appointment_type=consultation_type(),
        client=client(),
        start=local(5, hour),
        format="telehealth",
    )


def manage(appointment: Appointment, view: str) -> str:
    return reverse(view, kwargs={"token": manage_token_make(appointment)})


def test_the_fourth_cancellation_from_one_address_is_refused_and_cancels_nothing() -> None:
    appointments = [booked(hour) for hour in (9, 10, 11, 12)]
    for appointment in appointments[:3]:
        cancelled = from_address(ONE).post(manage(appointment, "booking:manage_cancel"))
        assert cancelled.status_code == 200  # the confirmation, shown in place
        assert "cancelled" in cancelled.content.decode()
    fourth = appointments[3]
    page = assert_refused_kindly(from_address(ONE).post(manage(fourth, "booking:manage_cancel")))
    assert "Cancel" in page
    fourth.refresh_from_db()
    assert fourth.status == AppointmentStatus.BOOKED
    assert from_address(OTHER).post(manage(fourth, "booking:manage_cancel")).status_code == 200
    fourth.refresh_from_db()
    assert fourth.status == AppointmentStatus.CANCELLED


def test_the_fourth_move_from_one_address_is_refused_and_moves_nothing() -> None:
    appointments = [booked(hour) for hour in (9, 10, 11, 12)]
    new_start = local(6, 15)
    query = f"?start={new_start.isoformat().replace('+', '%2B')}"
    for number, appointment in enumerate(appointments[:3]):
        moved_to = local(7 + number, 15).isoformat().replace("+", "%2B")
        url = manage(appointment, "booking:manage_reschedule_confirm") + f"?start={moved_to}"
        assert from_address(ONE).post(url).status_code == 302
    fourth = appointments[3]
    url = manage(fourth, "booking:manage_reschedule_confirm") + query
    page = assert_refused_kindly(from_address(ONE).post(url))
    assert "Move it to" in page
    fourth.refresh_from_db()
    assert fourth.start == local(5, 12)
    assert from_address(OTHER).post(url).status_code == 302
    fourth.refresh_from_db()
    assert fourth.start == new_start


def test_the_fourth_offer_taken_up_from_one_address_is_refused(
    smtp_server: SmtpServer, settings: Settings
) -> None:
    settings.MAILERS = smtp_server.mailers()
    therapist = bookable_therapist()
    therapist.accepting = Accepting.WAITLIST
    therapist.save()
    Practice.objects.filter(pk=1).update(waitlist_offer_count=4)
    settings.PUBLIC_FORM_RATE_LIMIT = "10/h"  # four people join from the test's one address
    for name in ("Ada", "Ben", "Cy", "Dee"):
        join(name)
    settings.PUBLIC_FORM_RATE_LIMIT = "3/h"
    booked_then_cancelled()
    outbox_flush()
    links = {
        m["To"]: offer_link(message_parts(m)["text/plain"])
        for m in smtp_server.messages
        if m["Subject"].startswith("A time opened")
    }
    assert from_address(ONE).post(links["ada@example.com"]).status_code == 302  # booked
    for name in ("ben", "cy"):
        assert from_address(ONE).post(links[f"{name}@example.com"]).status_code == 200  # taken
    assert_refused_kindly(from_address(ONE).post(links["dee@example.com"]))
    assert from_address(OTHER).post(links["dee@example.com"]).status_code == 200
    assert Appointment.objects.active().count() == 1


def test_the_fourth_session_confirmed_from_one_address_is_refused_and_books_nothing(
    transactional_db: None, kim: CareClient, mail: SmtpServer, settings: Settings
) -> None:
    settings.PUBLIC_FORM_RATE_LIMIT = "10/h"  # four sessions asked for from the test's address
    for hour in (9, 10, 11, 12):
        asked_for(kim, "kim@example.com", hour)
    settings.PUBLIC_FORM_RATE_LIMIT = "3/h"
    run_worker()
    links = [
        "/" + link.split("/", 3)[3]
        for message in mail.messages
        for link in LINK.findall(message_parts(message)["text/plain"])
    ]
    assert len(links) == 4
    before = Appointment.objects.active().count()
    for link in links[:3]:
        assert from_address(ONE).post(link).status_code == 302
    assert_refused_kindly(from_address(ONE).post(links[3]))
    assert Appointment.objects.active().count() == before + 3
    assert from_address(OTHER).post(links[3]).status_code == 302
    assert Appointment.objects.active().count() == before + 4
