"""Moving an appointment to hours that offer another format: it keeps its format when the new
time allows it; otherwise it takes the one the hours allow, and everyone is told plainly."""

from datetime import time

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from alliance.booking.appointments import appointment_book, appointment_reschedule
from alliance.booking.models import Appointment, AppointmentFormat, MessageKind, WorkingHours
from alliance.booking.tokens import manage_token_make
from alliance.outbox.sending import outbox_flush
from alliance.practice.models import Practice, Therapist
from tests.booking.fixtures import bookable_therapist, client, consultation_type, local
from tests.conftest import Personas, signed_in
from tests.smtp import SmtpServer, message_parts

pytestmark = pytest.mark.django_db

IN_PERSON, VIDEO = AppointmentFormat.IN_PERSON, AppointmentFormat.TELEHEALTH


@pytest.fixture(autouse=True)
def _mornings_in_person_afternoons_by_video() -> None:
    """Every day: in person 8 to 12 and 14 to 16, by video 12 to 20."""
    therapist = bookable_therapist()
    WorkingHours.objects.filter(therapist=therapist).delete()
    for weekday in range(7):
        for start, end, format in ((8, 12, IN_PERSON), (14, 16, IN_PERSON), (12, 20, VIDEO)):
            WorkingHours.objects.create(
                therapist=therapist,
                weekday=weekday,
                start=time(start),
                end=time(end),
                format=format,
            )
    Practice.objects.filter(pk=1).update(address="1 Main St\nSpringfield")
    consultation_type()


def booked(hour: int, format: str) -> Appointment:
    return appointment_book(
        # Not bookable_therapist(): it would give back the hours of both formats all day.
        therapist=Therapist.objects.get(slug="bo-bookable"),
        appointment_type=consultation_type(),
        client=client(),
        start=local(3, hour),
        format=format,
    )


def test_a_video_session_moved_to_in_person_hours_becomes_in_person() -> None:
    moved = booked(13, VIDEO)
    appointment_reschedule(appointment=moved, start=local(4, 10))
    moved.refresh_from_db()
    assert moved.format == IN_PERSON
    assert moved.messages.get(kind=MessageKind.RESCHEDULED).format_changed is True


def test_an_in_person_session_moved_to_video_hours_becomes_video() -> None:
    moved = booked(10, IN_PERSON)
    appointment_reschedule(appointment=moved, start=local(4, 13))
    moved.refresh_from_db()
    assert moved.format == VIDEO


def test_a_format_the_new_time_allows_is_kept() -> None:
    for hour, format in ((13, VIDEO), (10, IN_PERSON)):
        moved = booked(hour, format)
        appointment_reschedule(appointment=moved, start=local(5, 15))
        moved.refresh_from_db()
        assert moved.format == format  # 15:00 is offered both ways
        assert moved.messages.get(kind=MessageKind.RESCHEDULED).format_changed is False
        moved.delete()


def test_the_client_is_told_before_and_after_moving(mail: SmtpServer) -> None:
    appointment = booked(13, VIDEO)
    new_start = local(4, 10)
    url = reverse(
        "booking:manage_reschedule_confirm", kwargs={"token": manage_token_make(appointment)}
    )
    url += f"?start={new_start.isoformat().replace('+', '%2B')}"
    before = Client().get(url).content.decode()
    assert (
        "This time is in person only: your session will be in person at 1 Main St, Springfield."
        in before
    )
    after = Client().post(url, follow=True).content.decode()
    assert (
        "This time is in person only: your session is now in person at 1 Main St, Springfield."
        in after
    )
    outbox_flush()
    [email] = [m for m in mail.messages if m["Subject"].startswith("New time")]
    assert (
        "This time is in person only: your session is now in person at 1 Main St, Springfield."
        in message_parts(email)["text/plain"]
    )


def test_staff_are_told_when_a_move_changes_the_format(personas: Personas) -> None:
    appointment = booked(10, IN_PERSON)
    response = signed_in(personas.frontdesk).post(
        reverse("booking:appointment_move", args=[appointment.uuid]),
        {"day": local(4, 0).date().isoformat(), "start_time": "13:00"},
    )
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.endswith(
        "This time is by video only: the session is now by video. "
        "The client has been told by e-mail."
    )
    appointment.refresh_from_db()
    assert appointment.format == VIDEO


def test_staff_are_asked_to_tell_a_client_without_an_address(personas: Personas) -> None:
    appointment = booked(10, IN_PERSON)
    appointment.client.email = ""
    appointment.client.save()
    response = signed_in(personas.frontdesk).post(
        reverse("booking:appointment_move", args=[appointment.uuid]),
        {"day": local(4, 0).date().isoformat(), "start_time": "13:00"},
    )
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.endswith(
        "This time is by video only: the session is now by video. "
        "The client has no e-mail address, so no one has told them: please phone them."
    )
