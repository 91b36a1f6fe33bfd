"""The booking e-mails that are not about an appointment, sent through the outbox: the front
desk's notice of a new consultation request, the answer to a session asked for on the web, and
the confirmation of joining a waitlist.

Each is queued (booking/messages.py, message_queue) with the row it announces, in the same
transaction, and rendered when sent.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from alliance.accounts.models import Role, User
from alliance.booking.models import (
    ConsultationRequest,
    PendingBooking,
    WaitlistEntry,
    WaitlistStatus,
)
from alliance.booking.tokens import (
    PENDING_MINUTES,
    pending_booking_token_make,
    waitlist_leave_token_make,
)
from alliance.outbox.emails import templated_email
from alliance.outbox.models import Message
from alliance.practice.models import Practice, practice_zone
from alliance.scheduling.display import format_local

logger = logging.getLogger(__name__)


def request_notice_email(message: Message, now: datetime) -> EmailMultiAlternatives | None:
    """Tell the front desk a request arrived: a link and a time, never who or why."""
    consultation_request = ConsultationRequest.objects.get(messages=message.pk)
    practice = Practice.objects.current()
    # Read when sent, so a desk that changed meanwhile is the one told.
    recipients = sorted(
        set(
            User.objects.filter(role=Role.FRONTDESK, is_active=True).values_list("email", flat=True)
        )
        | ({practice.email} if practice.email else set())
    ) or list(User.objects.filter(role=Role.OWNER, is_active=True).values_list("email", flat=True))
    if not recipients:
        logger.warning("no one to tell about request %s", consultation_request.uuid)
        return None
    context = {
        "practice": practice,
        "received_at": consultation_request.created_at,
        "time_zone": practice.time_zone,
        "link": settings.SITE_URL
        + reverse("booking:request_detail", kwargs={"request_uuid": consultation_request.uuid}),
    }
    return templated_email(
        message,
        to=recipients,
        subject=f"New consultation request — {practice.name}",
        template="booking/email/request_new",
        context=context,
    )


def pending_booking_email(message: Message, now: datetime) -> EmailMultiAlternatives | None:
    """Answer a session asked for on the web: the therapist's client gets a link to confirm it
    at the address the practice has; anyone else, at the address typed, that nothing was booked.
    """
    pending = PendingBooking.objects.select_related("therapist", "appointment_type", "client").get(
        messages=message.pk
    )
    practice = Practice.objects.current()
    context: dict[str, object] = {
        "practice": practice,
        "pending": pending,
        "when": format_local(pending.start, practice_zone()),
        "minutes": PENDING_MINUTES,
        "consultation_link": settings.SITE_URL + reverse("booking:consultation"),
    }
    if pending.client is not None:
        to, template, subject = pending.client.email, "pending_confirm", "Confirm your session"
        # Made now, so its minutes count from when it is sent.
        context["link"] = settings.SITE_URL + reverse(
            "booking:pending_confirm", kwargs={"token": pending_booking_token_make(pending)}
        )
    else:
        to, template, subject = pending.email, "pending_unknown", "Your booking request"
    return templated_email(
        message,
        to=[to],
        subject=f"{subject} — {practice.name}",
        template=f"booking/email/{template}",
        context=context,
    )


def pending_booking_sent(message: Message) -> None:
    # The typed address was needed only for this e-mail.
    PendingBooking.objects.filter(messages=message.pk).update(email="")


def waitlist_joined_email(message: Message, now: datetime) -> EmailMultiAlternatives | None:
    """Confirm a place on a waitlist, with the link to leave it; not once it was left."""
    entry = WaitlistEntry.objects.select_related("therapist").get(messages=message.pk)
    if entry.status != WaitlistStatus.WAITING:
        return None
    practice = Practice.objects.current()
    context = {
        "practice": practice,
        "entry": entry,
        "leave_link": settings.SITE_URL
        + reverse("booking:waitlist_leave", kwargs={"token": waitlist_leave_token_make(entry)}),
    }
    return templated_email(
        message,
        to=[entry.email],
        subject=f"You are on {entry.therapist.name}'s waitlist — {practice.name}",
        template="booking/email/waitlist_joined",
        context=context,
    )
