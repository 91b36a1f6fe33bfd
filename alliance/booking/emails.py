"""How booking's appointment and waitlist-offer messages are written when sent (the notices are
in booking/notices.py), and which of them wait or are no longer wanted by then."""

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from alliance.booking.formats import format_only_notice
from alliance.booking.models import (
    Appointment,
    AppointmentStatus,
    BookingMessage,
    MessageKind,
    OfferStatus,
    WaitlistOffer,
    WaitlistStatus,
)
from alliance.booking.tokens import (
    manage_token_make,
    waitlist_leave_token_make,
    waitlist_offer_token_make,
)
from alliance.lib.ics import Event, calendar
from alliance.outbox.emails import templated_email
from alliance.outbox.models import Message
from alliance.practice.models import Practice
from alliance.scheduling.display import format_local

# An appointment still ahead of the client: marked arrived, attended or no-show, it is not.
UPCOMING = (AppointmentStatus.PROPOSED, AppointmentStatus.PENDING, AppointmentStatus.BOOKED)

APPOINTMENT_KINDS = (
    MessageKind.CONFIRMATION,
    MessageKind.RESCHEDULED,
    MessageKind.REMINDER,
    MessageKind.CANCELLATION,
    MessageKind.NEW_LINK,
)

SUBJECTS = {
    MessageKind.CONFIRMATION: "Booked: {what} on {when}",
    MessageKind.RESCHEDULED: "New time: {what} on {when}",
    MessageKind.REMINDER: "Reminder: {what} on {when}",
    MessageKind.CANCELLATION: "Cancelled: {what} on {when}",
    MessageKind.NEW_LINK: "New link: {what} on {when}",
}


def checkin_held(now: datetime) -> Q:
    """However a check-in came to be due, its link never goes before the session ends."""
    return Q(Exists(Appointment.objects.filter(messages=OuterRef("pk"), end__gt=now)))


def appointment_message_email(message: Message, now: datetime) -> EmailMultiAlternatives | None:
    """A confirmation, new time, reminder, cancellation or new link, from the appointment as it
    is now; None for a reminder or link of an appointment no longer ahead."""
    booking_message = BookingMessage.objects.select_related(
        "appointment__therapist", "appointment__client", "appointment__appointment_type"
    ).get(pk=message.pk)
    appointment = booking_message.appointment
    assert appointment is not None  # these kinds are always about an appointment
    stale = message.kind in (MessageKind.REMINDER, MessageKind.NEW_LINK) and (
        appointment.status not in UPCOMING or appointment.start <= now
    )
    return None if stale else message_email(booking_message, appointment)


def offer_message_email(message: Message, now: datetime) -> EmailMultiAlternatives | None:
    """A freed time offered to the next on the waitlist; None once it cannot be taken."""
    offer = WaitlistOffer.objects.select_related(
        "entry", "entry__therapist", "entry__appointment_type"
    ).get(messages=message.pk)
    stale = (
        offer.status != OfferStatus.OPEN
        or offer.start <= now
        or offer.entry.status != WaitlistStatus.WAITING  # left the list, or booked
    )
    return None if stale else offer_email(message, offer)


def message_email(message: BookingMessage, appointment: Appointment) -> EmailMultiAlternatives:
    practice = Practice.objects.current()
    zone = practice.zone
    when = format_local(appointment.start, zone)
    context = {
        "practice": practice,
        "appointment": appointment,
        "kind": message.kind,
        "when": when,
        "manage_link": settings.SITE_URL
        + reverse("booking:manage", kwargs={"token": manage_token_make(appointment)}),
        "late_cancel_hours": practice.late_cancel_hours,
        "consultation_link": settings.SITE_URL + reverse("booking:consultation"),
        "format_notice": (
            format_only_notice(appointment.format, practice, whose="your", moved=True)
            if message.format_changed
            else ""
        ),
    }
    email = templated_email(
        message,
        to=[appointment.client.email],
        subject=SUBJECTS[MessageKind(message.kind)].format(
            what=appointment.appointment_type.name, when=when
        ),
        template="booking/email/appointment",
        context=context,
    )
    if message.kind not in (MessageKind.REMINDER, MessageKind.NEW_LINK):
        method = "CANCEL" if message.kind == MessageKind.CANCELLATION else "REQUEST"
        email.attach(
            "appointment.ics",
            appointment_calendar(appointment, practice, method=method),
            f"text/calendar; method={method}; charset=utf-8",
        )
    return email


def appointment_event(appointment: Appointment, practice: Practice) -> Event:
    link = appointment.join_link
    if appointment.format == "in_person":
        location = practice.address.replace("\n", ", ")
    elif link:
        location = f"Video session: {link}"
    else:
        location = "Video session (your therapist will send you the link)"
    return Event(
        uid=f"{appointment.uuid}@alliance",
        start=appointment.start,
        end=appointment.end,
        sequence=appointment.sequence,
        summary=f"{appointment.appointment_type.name} with {appointment.therapist.name}",
        location=location,
        url=link,
        cancelled=not appointment.is_active,
        organizer_email=practice.email,
        organizer_name=practice.name,
        attendee_email=appointment.client.email,
    )


def appointment_calendar(appointment: Appointment, practice: Practice, *, method: str) -> str:
    return calendar([appointment_event(appointment, practice)], method=method, stamp=timezone.now())


def offer_email(message: Message, offer: WaitlistOffer) -> EmailMultiAlternatives:
    practice = Practice.objects.current()
    when = format_local(offer.start, practice.zone)
    context = {
        "practice": practice,
        "offer": offer,
        "when": when,
        "link": settings.SITE_URL
        + reverse("booking:offer", kwargs={"token": waitlist_offer_token_make(offer)}),
        "leave_link": settings.SITE_URL
        + reverse(
            "booking:waitlist_leave", kwargs={"token": waitlist_leave_token_make(offer.entry)}
        ),
    }
    return templated_email(
        message,
        to=[offer.entry.email],
        subject=f"A time opened with {offer.entry.therapist.name}: {when}",
        template="booking/email/waitlist_offer",
        context=context,
    )
