"""Booking a session as an existing client: one neutral answer whatever address is typed, and
the booking made only from a single-use link e-mailed to the address the practice has."""

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliance.booking.appointments import appointment_book
from alliance.booking.models import Appointment
from alliance.clients.models import Client as CareClient
from tests.booking.fixtures import bookable_therapist, local, session_type
from tests.booking.test_booking_pages import details
from tests.smtp import SmtpServer, message_parts

CONFIRM = reverse("booking:confirm", args=["bo-bookable"])
LINK = re.compile(r"https://practice\.example/appointments/confirm/[^/\s\"<>]+/")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def session_url(start: Any) -> str:
    return f"{CONFIRM}?type=session&start={start.isoformat().replace('+', '%2B')}"


def run_worker() -> None:
    """Run the real database worker until the queue is empty."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")


def text_of(smtp_server: SmtpServer, to: str) -> str:
    [message] = [m for m in smtp_server.messages if m["To"] == to]
    return str(message["Subject"]) + "\n" + message_parts(message)["text/plain"]


def asked_for(kim: CareClient, email: str, hour: int = 10) -> str:
    """Ask for a session at `hour` three days ahead as `email`; the page the browser ends on."""
    response = Client().post(session_url(local(3, hour)), details(email=email), follow=True)
    assert response.status_code == 200
    return CSRF.sub("", response.content.decode())


def confirm_link(kim: CareClient, smtp_server: SmtpServer, hour: int = 10) -> str:
    asked_for(kim, "KIM@example.com", hour)
    run_worker()
    found = LINK.search(text_of(smtp_server, "kim@example.com"))
    assert found, text_of(smtp_server, "kim@example.com")
    return "/" + found.group(0).split("/", 3)[3]


@pytest.mark.django_db
def test_a_strangers_address_and_a_clients_address_get_the_same_page(kim: CareClient) -> None:
    clients_page = asked_for(kim, "KIM@example.com")
    strangers_page = asked_for(kim, "stranger@example.com")
    assert clients_page == strangers_page
    assert "We have sent a link to confirm this booking to the address you gave." in clients_page
    assert "It works for 30 minutes." in clients_page
    assert "kim@example.com" not in clients_page.lower()
    assert Appointment.objects.count() == 0


def test_nothing_is_booked_until_the_client_opens_the_link_and_confirms(
    transactional_db: None, kim: CareClient, mail: SmtpServer
) -> None:
    link = confirm_link(kim, mail)
    text = text_of(mail, "kim@example.com")
    assert "Kim" not in text
    assert "It works for 30 minutes" in text
    assert Appointment.objects.count() == 0
    page = Client().get(link).content.decode()
    assert "Confirm your session" in page
    assert local(3, 10).strftime("%-I:%M %p") in page
    assert Appointment.objects.count() == 0
    done = Client().post(link, follow=True)
    assert "You are booked" in done.content.decode()
    appointment = Appointment.objects.get()
    assert appointment.client == kim
    assert appointment.start == local(3, 10)
    assert appointment.end - appointment.start == timedelta(minutes=50)


def test_a_stranger_is_told_by_e_mail_that_nothing_was_booked(
    transactional_db: None, kim: CareClient, mail: SmtpServer
) -> None:
    asked_for(kim, "stranger@example.com")
    run_worker()
    text = text_of(mail, "stranger@example.com")
    assert "No booking was made" in text
    assert "https://practice.example/consultation/" in text
    assert "/appointments/confirm/" not in text
    assert "Kim" not in text
    assert Appointment.objects.count() == 0


def test_the_link_works_once(transactional_db: None, kim: CareClient, mail: SmtpServer) -> None:
    link = confirm_link(kim, mail)
    Client().post(link)
    again = Client().post(link)
    assert again.status_code == 404
    assert "This link no longer works" in again.content.decode()
    assert Client().get(link).status_code == 404
    assert Appointment.objects.count() == 1


def test_the_link_expires_after_thirty_minutes(
    transactional_db: None, kim: CareClient, mail: SmtpServer
) -> None:
    link = confirm_link(kim, mail)
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        late = Client().post(link)
    assert late.status_code == 404
    assert "This link no longer works" in late.content.decode()
    assert Appointment.objects.count() == 0


def test_another_therapists_client_cannot_be_booked_onto(
    transactional_db: None, kim: CareClient, mail: SmtpServer
) -> None:
    elsewhere = bookable_therapist("other-therapist")
    CareClient.objects.create(name="Lee Elsewhere", email="lee@example.com", therapist=elsewhere)
    asked_for(kim, "lee@example.com")
    run_worker()
    text = text_of(mail, "lee@example.com")
    assert "No booking was made" in text
    assert "/appointments/confirm/" not in text
    assert Appointment.objects.count() == 0


def test_a_time_taken_meanwhile_is_said_kindly_with_the_next_free_times(
    transactional_db: None, kim: CareClient, mail: SmtpServer
) -> None:
    link = confirm_link(kim, mail)
    someone = CareClient.objects.create(name="Sam Someone", therapist=kim.therapist)
    assert kim.therapist is not None
    appointment_book(
        therapist=kim.therapist,
        appointment_type=session_type(),
        client=someone,
        start=local(3, 10),
        format="in_person",
    )
    response = Client().post(link)
    page = response.content.decode()
    assert response.status_code == 200
    assert "That time was just taken" in page
    assert page.count(f"{CONFIRM}?type=session&amp;start=") == 3
    assert not Appointment.objects.filter(client=kim).exists()
