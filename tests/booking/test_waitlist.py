import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from alliance.booking.appointments import appointment_book, appointment_cancel
from alliance.booking.models import (
    Appointment,
    OfferStatus,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistStatus,
)
from alliance.booking.outbox import outbox_flush
from alliance.practice.models import Accepting, Practice
from tests.booking.fixtures import bookable_therapist, client, consultation_type, local
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db

JOIN = reverse("booking:waitlist_join", args=["bo-bookable"])


@pytest.fixture(autouse=True)
def _full_therapist() -> None:
    therapist = bookable_therapist()
    therapist.accepting = Accepting.WAITLIST
    therapist.save()
    consultation_type()


def join(name: str, **overrides: str) -> WaitlistEntry:
    data = {
        "submission_token": str(uuid.uuid4()),
        "name": name,
        "email": f"{name.lower()}@example.com",
        "phone": "",
        "consent": "on",
    }
    data.update(overrides)
    response = Client().post(JOIN, data)
    assert response.status_code == 302
    return WaitlistEntry.objects.get(name=name)


def test_joining_the_waitlist_says_your_place(personas: object) -> None:
    join("First")
    browser = Client()
    data = {
        "submission_token": str(uuid.uuid4()),
        "name": "Second",
        "email": "s@example.com",
        "consent": "on",
    }
    page = browser.post(JOIN, data, follow=True).content.decode()
    assert "You are number 2 in line." in page
    browser.post(JOIN, data)  # a double submit joins once
    assert WaitlistEntry.objects.count() == 2


def test_joining_needs_an_email_and_consent(personas: object) -> None:
    page = (
        Client().post(JOIN, {"submission_token": str(uuid.uuid4()), "name": "X"}).content.decode()
    )
    assert "This field is required." in page
    assert "We need your permission to write to you." in page
    assert WaitlistEntry.objects.count() == 0


def booked_then_cancelled() -> Appointment:
    appointment = appointment_book(
        therapist=bookable_therapist(),
        appointment_type=consultation_type(),
        client=client(),
        start=local(3, 10),
        format="telehealth",
    )
    appointment_cancel(appointment=appointment)
    return appointment


def test_a_cancellation_is_offered_to_the_waitlist_in_order(
    personas: object, smtp_server: SmtpServer, settings: Settings
) -> None:
    settings.MAILERS = smtp_server.mailers()
    Practice.objects.filter(pk=1).update(waitlist_offer_count=2)
    for name in ("Ada", "Ben", "Cy"):
        join(name)
    booked_then_cancelled()
    offers = WaitlistOffer.objects.order_by("created_at")
    assert [offer.entry.name for offer in offers] == ["Ada", "Ben"]  # the first two in line
    outbox_flush()
    offer_mails = [m for m in smtp_server.messages if m["Subject"].startswith("A time opened")]
    assert sorted(m["To"] for m in offer_mails) == ["ada@example.com", "ben@example.com"]


def offer_link(message_text: str) -> str:
    found = re.search(r"(/waitlist/offers/\S+/)", message_text)
    assert found is not None
    return found.group(1)


def test_the_first_to_confirm_gets_it_and_the_next_is_told_kindly(
    personas: object, smtp_server: SmtpServer, settings: Settings
) -> None:
    settings.MAILERS = smtp_server.mailers()
    join("Ada")
    join("Ben")
    booked_then_cancelled()
    outbox_flush()
    links = {
        m["To"]: offer_link(m.get_payload(0).get_payload(decode=True).decode())  # type: ignore[union-attr]
        for m in smtp_server.messages
        if m["Subject"].startswith("A time opened")
    }
    ben = Client()
    assert "Book this time" in ben.get(links["ben@example.com"]).content.decode()
    won = ben.post(links["ben@example.com"], follow=True)
    assert "You are booked" in won.content.decode()
    lost = Client().post(links["ada@example.com"])
    assert (
        "This time has already been taken" in lost.content.decode()
        or "just taken" in lost.content.decode()
    )
    assert Appointment.objects.active().count() == 1
    assert Appointment.objects.active().get().client.email == "ben@example.com"
    assert WaitlistEntry.objects.get(name="Ben").status == WaitlistStatus.BOOKED
    assert WaitlistEntry.objects.get(name="Ada").status == WaitlistStatus.WAITING
    assert WaitlistOffer.objects.get(entry__name="Ada").status == OfferStatus.LOST


def test_a_forged_offer_link_explains_itself(personas: object) -> None:
    response = Client().get(reverse("booking:offer", args=["forged"]))
    assert response.status_code == 404
    assert "This offer has passed" in response.content.decode()


def test_the_profile_invites_joining_the_waitlist(personas: object) -> None:
    page = Client().get(reverse("practice:therapist", args=["bo-bookable"])).content.decode()
    assert JOIN in page
