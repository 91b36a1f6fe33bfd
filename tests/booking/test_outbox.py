from datetime import timedelta

import icalendar
import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from pytest_django.fixtures import Settings

from alliance.booking.appointments import appointment_cancel
from alliance.booking.models import Appointment
from alliance.outbox.models import Message, MessageStatus
from alliance.outbox.sending import LEASE, outbox_flush
from tests.booking.fixtures import booked
from tests.smtp import SmtpServer, free_port, message_parts

pytestmark = pytest.mark.django_db


def test_the_confirmation_carries_a_valid_invitation(
    smtp_server: SmtpServer, settings: Settings
) -> None:
    settings.MAILERS = smtp_server.mailers()
    settings.SITE_URL = "https://practice.example"
    appointment = booked()
    assert outbox_flush() == 1
    (message,) = smtp_server.messages
    assert message["To"] == "casey@example.com"
    assert message["Subject"].startswith("Booked: Free 15-minute consultation on ")
    assert (
        message["Message-ID"]
        == f"<{appointment.messages.get(kind='confirmation').uuid}@practice.example>"
    )
    content = message_parts(message)
    assert "https://practice.example/appointments/manage/" in content["text/plain"]
    assert "text/html" in content
    assert "E" in content["text/plain"]  # …with the zone printed, e.g. "10:00 AM EST"
    calendar = icalendar.Calendar.from_ical(content["text/calendar"])
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"{appointment.uuid}@alliance"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == appointment.start
    assert event.decoded("DTEND") == appointment.end
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert "Casey" not in content["text/calendar"]


def test_e_mails_carry_no_clinical_detail(smtp_server: SmtpServer, settings: Settings) -> None:
    settings.MAILERS = smtp_server.mailers()
    booked()
    outbox_flush()
    whole = smtp_server.messages[0].as_string().lower()
    for word in ("depress", "anxi", "diagnos", "phq", "risk"):
        assert word not in whole


def test_a_cancellation_sends_a_cancel_with_a_higher_sequence(
    smtp_server: SmtpServer, settings: Settings
) -> None:
    settings.MAILERS = smtp_server.mailers()
    appointment = booked()
    outbox_flush()
    appointment_cancel(appointment=appointment)
    outbox_flush()
    kinds = [message["Subject"].split(":")[0] for message in smtp_server.messages]
    assert kinds == ["Booked", "Cancelled"]
    calendar = icalendar.Calendar.from_ical(message_parts(smtp_server.messages[1])["text/calendar"])
    assert calendar["METHOD"] == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert event["SEQUENCE"] == 1
    assert str(event["STATUS"]) == "CANCELLED"
    assert appointment.messages.filter(kind="reminder", status=MessageStatus.CANCELLED).count() == 2


def test_reminders_go_when_due_and_only_then(smtp_server: SmtpServer, settings: Settings) -> None:
    settings.MAILERS = smtp_server.mailers()
    appointment = booked()
    outbox_flush()
    assert len(smtp_server.messages) == 1
    with time_machine.travel(appointment.start - timedelta(hours=47)):
        assert outbox_flush() == 1
    with time_machine.travel(appointment.start - timedelta(hours=23)):
        assert outbox_flush() == 1
        assert outbox_flush() == 0
    subjects = [message["Subject"] for message in smtp_server.messages]
    assert [subject.split(":")[0] for subject in subjects] == ["Booked", "Reminder", "Reminder"]


def test_no_reminder_goes_for_a_session_already_marked(
    smtp_server: SmtpServer, settings: Settings
) -> None:
    settings.MAILERS = smtp_server.mailers()
    appointment = booked()
    outbox_flush()
    # Marked attended days early, as could be done before marks had to wait for the start.
    Appointment.objects.filter(pk=appointment.pk).update(status="fulfilled")
    with time_machine.travel(appointment.start - timedelta(hours=47)):
        assert outbox_flush() == 0
    subjects = [message["Subject"].split(":")[0] for message in smtp_server.messages]
    assert subjects == ["Booked"]
    reminder = appointment.messages.get(kind="reminder", hours_before=48)
    assert reminder.status == MessageStatus.CANCELLED


def test_a_failed_send_is_retried_with_backoff_and_its_status_shown(
    smtp_server: SmtpServer, settings: Settings
) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    appointment = booked()
    assert outbox_flush() == 0
    confirmation = appointment.messages.get(kind="confirmation")
    assert confirmation.status == MessageStatus.RETRYING
    assert confirmation.last_error == "ConnectionRefusedError"
    assert confirmation.next_attempt_at > timezone.now()
    assert outbox_flush() == 0  # not due again yet
    settings.MAILERS = smtp_server.mailers()
    with time_machine.travel(confirmation.next_attempt_at + timedelta(seconds=1)):
        assert outbox_flush() == 1
    confirmation.refresh_from_db()
    assert confirmation.status == MessageStatus.SENT
    assert confirmation.attempts == 2


def test_a_worker_that_dies_mid_send_loses_nothing_and_sends_once(
    smtp_server: SmtpServer, settings: Settings
) -> None:
    settings.MAILERS = smtp_server.mailers()
    appointment = booked()
    confirmation = appointment.messages.get(kind="confirmation")
    # A worker claimed the message and died before sending: the row holds a lease.
    Message.objects.filter(pk=confirmation.pk).update(
        status=MessageStatus.SENDING, lease_until=timezone.now() + LEASE, attempts=1
    )
    assert outbox_flush() == 0  # another worker leaves a leased message alone
    with time_machine.travel(timezone.now() + LEASE + timedelta(seconds=1)):
        assert outbox_flush() == 1
        assert outbox_flush() == 0
    assert len(smtp_server.messages) == 1


def test_the_command_sends_what_is_due(smtp_server: SmtpServer, settings: Settings) -> None:
    settings.MAILERS = smtp_server.mailers()
    booked()
    call_command("outbox_flush")
    assert len(smtp_server.messages) == 1
