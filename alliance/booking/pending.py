"""Sessions asked for on the web: booked only from a link e-mailed to the client (services).

Anyone can type anyone's address, so the page never says whether it is a client's, and nothing
is booked until the client opens the link sent to the address the practice has for them
(docs/security.md, "Public forms").
"""

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from alliance.booking.appointments import BookingError, appointment_book, slot_check
from alliance.booking.messages import message_queue
from alliance.booking.models import Appointment, AppointmentType, MessageKind, PendingBooking
from alliance.clients.models import Client
from alliance.practice.models import Therapist

logger = logging.getLogger(__name__)


def pending_booking_request(
    *,
    therapist: Therapist,
    appointment_type: AppointmentType,
    email: str,
    start: datetime,
    format: str,
    submission_key: str,
) -> PendingBooking:
    """Record the request with its e-mail in the outbox, alike for every address typed.

    Raises SlotRefused when the time is not offered: that depends on the time, not the person.
    Submitting the same form twice returns the first request, and sends one e-mail.
    """
    existing = PendingBooking.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing
    slot_check(
        therapist=therapist,
        appointment_type=appointment_type,
        start=start,
        format=format,
        now=timezone.now(),
    )
    pending = PendingBooking(
        therapist=therapist,
        appointment_type=appointment_type,
        client=Client.objects.filter(therapist=therapist, email__iexact=email)
        .order_by("created_at")
        .first(),
        email=email,
        start=start,
        format=format,
        submission_key=submission_key,
    )
    pending.full_clean(
        exclude=["therapist", "appointment_type", "client", "appointment"], validate_unique=False
    )
    try:
        with transaction.atomic():
            pending.save()
            message_queue(
                kind=MessageKind.PENDING_BOOKING, now=pending.created_at, pending_booking=pending
            )
    except IntegrityError:
        # The same form, submitted concurrently, won the unique key; its e-mail is on its way.
        return PendingBooking.objects.get(submission_key=submission_key)
    logger.info("pending booking %s requested", pending.uuid)
    return pending


@transaction.atomic
def pending_booking_confirm(*, pending: PendingBooking) -> Appointment:
    """Book the session the client confirmed, once: a second confirmation is refused.

    Raises SlotRefused, with the next free times, when the time went meanwhile.
    """
    # Only this row: PostgreSQL will not lock the nullable side of the join to the client.
    locked = (
        PendingBooking.objects.select_for_update(of=("self",))
        .select_related("client")
        .get(pk=pending.pk)
    )
    # Two tabs confirming at once: the first books, the second is told.
    if locked.appointment_id is not None or locked.client is None:
        raise BookingError("This link has already been used.")
    appointment = appointment_book(
        therapist=pending.therapist,
        appointment_type=pending.appointment_type,
        client=locked.client,
        start=pending.start,
        format=pending.format,
        idempotency_key=f"pending:{pending.uuid}",
    )
    locked.appointment = appointment
    locked.save(update_fields=["appointment"])
    return appointment
