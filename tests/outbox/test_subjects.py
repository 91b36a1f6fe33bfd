"""What a message is about lives with the app that owns it; deleting that thing deletes its
messages, so no e-mail goes out about something that is gone."""

import pytest
from django.utils import timezone

from alliance.booking.models import BookingMessage
from alliance.care.models import Alert, AlertMessage, ResponseSource
from alliance.care.services import answers_score, response_record, session_on
from alliance.clients.models import Client
from alliance.outbox.models import Message
from tests.booking.fixtures import booked
from tests.care.history import phq9_answers, practice_today
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def test_deleting_an_appointment_deletes_its_messages() -> None:
    appointment = booked()
    assert appointment.messages.count() == Message.objects.count() >= 2  # confirmation, reminders
    appointment.delete()
    assert not Message.objects.exists()
    assert not BookingMessage.objects.exists()


def test_deleting_an_alert_deletes_its_messages(personas: Personas) -> None:
    riley = Client.objects.create(name="Riley Risk", therapist=personas.tara)
    session = session_on(client=riley, therapist=personas.tara, day=practice_today())
    response_record(
        session=session,
        scored=answers_score("phq9", phq9_answers(5, item9=1)),
        completed_at=timezone.now(),
        source=ResponseSource.API,
    )
    alert = Alert.objects.get(kind="risk")
    told = set(AlertMessage.objects.filter(alert=alert).values_list("pk", flat=True))
    assert told
    assert told == set(Message.objects.values_list("pk", flat=True))
    alert.delete()
    assert not Message.objects.exists()


def test_a_message_shows_the_name_its_app_gave_its_kind() -> None:
    appointment = booked()
    names = {message.get_kind_display() for message in appointment.messages.all()}
    assert names == {"Confirmation", "Reminder"}
    assert {str(message).split()[0] for message in Message.objects.all()} == names
