"""A therapist's session that has happened, and answers to post to its check-in."""

import re
from datetime import timedelta

import time_machine
from django.utils import timezone

from alliance.booking.appointments import appointment_book
from alliance.booking.models import Appointment
from alliance.care.instruments import instruments
from alliance.clients.models import Client
from alliance.outbox.sending import outbox_flush
from alliance.practice.models import Therapist
from tests.booking.fixtures import bookable_therapist, local, session_type
from tests.smtp import SmtpServer, message_parts

LINK = re.compile(r"https?://[^\s\"<>]+/checkin/[^\s\"<>/]+/")


def session_booked(
    *, therapist: Therapist | None = None, client: Client | None = None, days_ahead: int = 1
) -> Appointment:
    therapist = therapist or bookable_therapist()
    if client is None:
        client = Client.objects.create(
            name="Casey Client", email="casey@example.com", therapist=therapist
        )
    return appointment_book(
        therapist=therapist,
        appointment_type=session_type(),
        client=client,
        start=local(days_ahead, 10),
        format="in_person",
        within_availability=False,
        send_confirmation=False,
    )


def after(appointment: Appointment, minutes: int = 5) -> time_machine.travel:
    return time_machine.travel(appointment.end + timedelta(minutes=minutes))


def checkin_link(smtp_server: SmtpServer, appointment: Appointment) -> str:
    """Let the session end, send what is due, and return the check-in link from the e-mail."""
    if timezone.now() < appointment.end:
        with after(appointment):
            outbox_flush()
    else:
        outbox_flush()
    for message in reversed(smtp_server.messages):
        found = LINK.search(message_parts(message)["text/plain"])
        if found:
            return found.group(0)
    raise AssertionError("no check-in e-mail was sent")


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def all_answered(codes: list[str], **values: int) -> dict[str, str]:
    """A POST answering every item of `codes` that is asked: by default the first option of
    each scale, or `values[item_id]` where given. A follow-up whose condition does not hold
    (the repair question after "No" tension) is left out."""
    data: dict[str, str] = {}
    for code in codes:
        for item in instruments()[code].items:
            value = values.get(item.id, item.scale.options[0].value)
            condition = item.enable_when
            if condition is None or int(data[condition.item]) >= condition.at_least:
                data[item.id] = str(value)
    return data
