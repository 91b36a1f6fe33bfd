import re
import uuid

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from alliance.booking.appointments import appointment_book, appointment_cancel
from alliance.booking.models import (
    Appointment,
    OfferStatus,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistStatus,
)
from alliance.booking.waitlist import waitlist_join
from alliance.outbox.models import Message
from alliance.outbox.sending import outbox_flush
from alliance.practice.models import Accepting, Practice
from tests.booking.fixtures import bookable_therapist, client, consultation_type, local
from tests.smtp import SmtpServer, message_parts

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


def test_joining_twice_with_one_address_keeps_one_entry_and_sends_one_offer(
    personas: object,
) -> None:
    join("Ada")
    again = {
        "submission_token": str(uuid.uuid4()),
        "name": "Ada Again",
        "email": " ADA@Example.com ",
        "consent": "on",
    }
    page = Client().post(JOIN, again, follow=True).content.decode()
    # The page reads as it would for anyone joining: it must not tell who is on the list.
    assert "You are on Bo's waitlist" in page
    assert "already" not in page
    assert "You are number 1 in line." in page
    assert WaitlistEntry.objects.count() == 1
    assert WaitlistEntry.objects.get().name == "Ada"
    booked_then_cancelled()
    assert WaitlistOffer.objects.count() == 1


def test_the_service_keeps_one_entry_per_address_and_sends_one_confirmation(
    personas: object,
) -> None:
    now = timezone.now()
    therapist, consultation = bookable_therapist(), consultation_type()
    first = waitlist_join(
        therapist=therapist,
        appointment_type=consultation,
        name="Ada",
        email="ada@example.com",
        phone="",
        submission_token=uuid.uuid4(),
        now=now,
    )
    again = waitlist_join(
        therapist=therapist,
        appointment_type=consultation,
        name="Ada L.",
        email="Ada@Example.COM",
        phone="239 555 0142",
        submission_token=uuid.uuid4(),
        now=now,
    )
    assert (first.already_waiting, again.already_waiting) == (False, True)
    assert again.entry == first.entry
    entry = WaitlistEntry.objects.get()
    assert (entry.name, entry.email, entry.phone) == ("Ada", "ada@example.com", "")
    # The first confirmation is still on its way, so it serves for both.
    assert list(Message.objects.values_list("kind", flat=True)) == ["waitlist_joined"]
    booked_then_cancelled()
    assert WaitlistOffer.objects.count() == 1


def test_joining_again_after_the_confirmation_went_confirms_again_to_the_address_on_file(
    personas: object,
) -> None:
    join("Ada")
    outbox_flush()
    mail.outbox.clear()
    again = {
        "submission_token": str(uuid.uuid4()),
        "name": "Someone Else",
        "email": "ADA@example.com",
        "consent": "on",
    }
    Client().post(JOIN, again)
    outbox_flush()
    [confirmation] = mail.outbox
    assert confirmation.to == [WaitlistEntry.objects.get().email]
    assert "Someone Else" not in str(confirmation.body)


def test_the_database_keeps_one_waiting_entry_per_address_and_therapist(
    personas: object,
) -> None:
    first = join("Ada")
    duplicate = {
        "therapist": first.therapist,
        "appointment_type": first.appointment_type,
        "name": "Ada",
        "email": "Ada@EXAMPLE.com",
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistEntry.objects.create(submission_token=uuid.uuid4(), **duplicate)
    WaitlistEntry.objects.filter(pk=first.pk).update(status=WaitlistStatus.WITHDRAWN)
    WaitlistEntry.objects.create(submission_token=uuid.uuid4(), **duplicate)  # joining again
    assert WaitlistEntry.objects.count() == 2


def leave_link(message_text: str) -> str:
    found = re.search(r"https://practice\.example(/waitlist/leave/\S+/)", message_text)
    assert found is not None
    return found.group(1)


def confirmations(mail: SmtpServer) -> list[str]:
    return [
        message_parts(m)["text/plain"]
        for m in mail.messages
        if m["Subject"].startswith("You are on Bo Bookable's waitlist")
    ]


def test_joining_emails_a_confirmation_with_a_link_to_leave(
    personas: object, mail: SmtpServer
) -> None:
    join("Ada")
    join("Ada", email="ADA@example.com", submission_token=str(uuid.uuid4()))
    outbox_flush()
    [text] = confirmations(mail)  # joining again sends no second one
    assert [m["To"] for m in mail.messages] == ["ada@example.com"]
    assert "You are on Bo Bookable's waitlist" in text
    browser = Client()
    link = leave_link(text)
    page = browser.get(link).content.decode()
    assert "Leave Bo's waitlist?" in page
    assert '<button class="button" type="submit">Leave the waitlist</button>' in page
    assert WaitlistEntry.objects.get().status == WaitlistStatus.WAITING  # a GET changes nothing
    left = browser.post(link).content.decode()
    assert "You have left Bo's waitlist" in left
    assert WaitlistEntry.objects.get().status == WaitlistStatus.WITHDRAWN
    assert "You have left Bo's waitlist" in browser.get(link).content.decode()


def test_no_offer_is_sent_after_leaving(personas: object, mail: SmtpServer) -> None:
    Practice.objects.filter(pk=1).update(waitlist_offer_count=2)
    join("Ada")
    join("Ben")
    outbox_flush()
    [ada_text] = [
        message_parts(m)["text/plain"] for m in mail.messages if m["To"] == "ada@example.com"
    ]
    Client().post(leave_link(ada_text))
    booked_then_cancelled()
    outbox_flush()
    offered = [m["To"] for m in mail.messages if m["Subject"].startswith("A time opened")]
    assert offered == ["ben@example.com"]


def test_leaving_after_an_offer_was_queued_stops_it(personas: object, mail: SmtpServer) -> None:
    join("Ada")
    outbox_flush()
    [text] = confirmations(mail)
    booked_then_cancelled()  # Ada's offer is queued, not yet sent
    Client().post(leave_link(text))
    outbox_flush()
    assert not [m for m in mail.messages if m["Subject"].startswith("A time opened")]


def test_a_forged_leave_link_explains_itself(personas: object) -> None:
    response = Client().get(reverse("booking:waitlist_leave", args=["forged"]))
    assert response.status_code == 404
    assert "This link no longer works" in response.content.decode()
    assert Client().post(reverse("booking:waitlist_leave", args=["forged"])).status_code == 404
