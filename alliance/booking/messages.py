"""The e-mails booking queues in the outbox, in the transaction of the change they announce:
appointment e-mails (confirmations, reminders, check-in invitations, new links), waitlist offers
and (booking/notices.py) the front desk's notice of a new consultation request, the answer to a
session asked for on the web and the confirmation of joining a waitlist. booking/emails.py
writes them when they are sent.
"""

from datetime import datetime, timedelta

from alliance.booking.models import Appointment, BookingMessage, MessageKind, WaitlistOffer
from alliance.outbox.models import PENDING, MessageStatus
from alliance.outbox.services import messages_queue
from alliance.practice.models import Practice


def messages_schedule(
    *,
    appointment: Appointment,
    now: datetime,
    confirmation: bool = False,
    rescheduled: bool = False,
    cancelled: bool = False,
    format_changed: bool = False,
) -> BookingMessage | None:
    """Queue what this change should tell the client, in the caller's transaction; returns the
    e-mail that announces the change, or None when none does (e.g. the client has no address)."""
    if not appointment.client.email:
        return None
    announcement = None
    rows = []
    for kind, wanted in (
        (MessageKind.CONFIRMATION, confirmation),
        (MessageKind.RESCHEDULED, rescheduled),
        (MessageKind.CANCELLATION, cancelled),
    ):
        if wanted:
            announcement = BookingMessage(
                appointment=appointment,
                kind=kind,
                send_after=now,
                format_changed=format_changed and kind == MessageKind.RESCHEDULED,
            )
            rows.append(announcement)
    if not cancelled:
        for hours in Practice.objects.current().reminder_hours:
            send_after = appointment.start - timedelta(hours=hours)
            if send_after > now:
                rows.append(
                    BookingMessage(
                        appointment=appointment,
                        kind=MessageKind.REMINDER,
                        hours_before=hours,
                        send_after=send_after,
                    )
                )
        if appointment.appointment_type.sends_checkin:
            # The check-in link goes out when the session ends, never before (booking/emails.py
            # holds it back).
            rows.append(
                BookingMessage(
                    appointment=appointment, kind=MessageKind.CHECKIN, send_after=appointment.end
                )
            )
    messages_queue(rows)
    return announcement


def message_queue(*, kind: MessageKind, now: datetime, **about: object) -> BookingMessage:
    """Queue one message about `about` (e.g. waitlist_entry=…) to go at once, in the caller's
    transaction: it exists if and only if the change it announces commits."""
    message = BookingMessage(kind=kind, send_after=now, **about)
    messages_queue([message])
    return message


def messages_schedule_offer(*, offer: WaitlistOffer, now: datetime) -> None:
    message_queue(kind=MessageKind.WAITLIST_OFFER, now=now, waitlist_offer=offer)


def messages_schedule_checkin(*, appointment: Appointment, now: datetime) -> None:
    """A new check-in link, asked for by a client whose link expired."""
    if appointment.messages.filter(kind=MessageKind.CHECKIN, status__in=PENDING).exists():
        return  # one is on its way already
    message_queue(kind=MessageKind.CHECKIN, now=now, appointment=appointment)


def messages_schedule_new_link(*, appointment: Appointment, now: datetime) -> None:
    """The client's manage link, sent again after staff revoked the old one."""
    if appointment.messages.filter(kind=MessageKind.NEW_LINK, status__in=PENDING).exists():
        return  # one is on its way, and it is rendered with the newest link when sent
    message_queue(kind=MessageKind.NEW_LINK, now=now, appointment=appointment)


def messages_cancel_pending(*, appointment: Appointment) -> None:
    appointment.messages.filter(status__in=PENDING).update(status=MessageStatus.CANCELLED)


def messages_cancel_reminders(*, appointment: Appointment) -> None:
    """The session has started: reminders of it, and links to change it, are not wanted."""
    appointment.messages.filter(
        kind__in=(MessageKind.REMINDER, MessageKind.NEW_LINK), status__in=PENDING
    ).update(status=MessageStatus.CANCELLED)
