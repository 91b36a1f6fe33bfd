"""Waitlists: join one, and when a time frees up, offer it to the people waiting, in order.

Offers go to the first few people at once (the practice chooses how many); the first to accept
books the time through the same guarded path as any booking, so only one can win.
"""

import logging
from datetime import datetime
from uuid import UUID

from django.db import IntegrityError, transaction

from alliance.booking.availability import practice_zone, therapist_slots
from alliance.booking.models import (
    Appointment,
    AppointmentType,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistStatus,
)
from alliance.booking.outbox import messages_schedule_offer
from alliance.practice.models import Practice, Therapist

logger = logging.getLogger(__name__)


def waitlist_join(
    *,
    therapist: Therapist,
    appointment_type: AppointmentType,
    name: str,
    email: str,
    phone: str,
    submission_token: UUID,
) -> WaitlistEntry:
    existing = WaitlistEntry.objects.filter(submission_token=submission_token).first()
    if existing is not None:
        return existing
    entry = WaitlistEntry(
        therapist=therapist,
        appointment_type=appointment_type,
        name=name,
        email=email,
        phone=phone,
        submission_token=submission_token,
    )
    entry.full_clean(exclude=["submission_token"])
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        return WaitlistEntry.objects.get(submission_token=submission_token)
    logger.info("waitlist entry %s joined", entry.uuid)
    return entry


def waitlist_offer_freed(*, appointment: Appointment, now: datetime) -> list[WaitlistOffer]:
    """Offer a freed start to the people waiting for this therapist, where it is bookable."""
    waiting = list(
        WaitlistEntry.objects.filter(
            therapist=appointment.therapist, status=WaitlistStatus.WAITING
        ).select_related("appointment_type")[: Practice.objects.current().waitlist_offer_count]
    )
    if not waiting:
        return []
    day = appointment.start.astimezone(practice_zone()).date()
    wanted = {entry.appointment_type_id: entry.appointment_type for entry in waiting}
    bookable_types = {
        type_id
        for type_id, appointment_type in wanted.items()
        if any(
            slot.start == appointment.start
            for slot in therapist_slots(
                therapist=appointment.therapist,
                appointment_type=appointment_type,
                first_day=day,
                last_day=day,
                now=now,
            )
        )
    }
    offers = [
        WaitlistOffer.objects.create(entry=entry, start=appointment.start)
        for entry in waiting
        if entry.appointment_type_id in bookable_types
    ]
    for offer in offers:
        messages_schedule_offer(offer=offer, now=now)
    if offers:
        logger.info("freed time offered to %d on a waitlist", len(offers))
    return offers
