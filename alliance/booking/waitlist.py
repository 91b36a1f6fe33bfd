"""Waitlists: join one, and when a time frees up, offer it to the people waiting, in order.

Offers go to the first few people at once (the practice chooses how many); the first to accept
books the time through the same guarded path as any booking, so only one can win.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db import IntegrityError, transaction

from alliance.booking.availability import therapist_slots
from alliance.booking.messages import message_queue, messages_schedule_offer
from alliance.booking.models import (
    Appointment,
    AppointmentType,
    MessageKind,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistStatus,
)
from alliance.outbox.models import PENDING
from alliance.practice.models import Practice, Therapist, practice_zone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WaitlistJoined:
    entry: WaitlistEntry
    already_waiting: bool  # the address was on this list before: no new entry was made


def waitlist_join(
    *,
    therapist: Therapist,
    appointment_type: AppointmentType,
    name: str,
    email: str,
    phone: str,
    submission_token: UUID,
    now: datetime,
) -> WaitlistJoined:
    """Join, or find the place this address already has: one entry each, so one offer each.

    A new entry is confirmed by e-mail, with a link to leave, in the same transaction. Joining
    again keeps the first entry as it was (the form is public, so it may not change its details)
    and confirms it again to the address on it: the page then reads the same either way, and
    tells no one typing an address whether it is on a therapist's list.
    """
    email = email.strip()
    resubmitted = WaitlistEntry.objects.filter(submission_token=submission_token).first()
    if resubmitted is not None:
        return WaitlistJoined(resubmitted, already_waiting=False)
    waiting = _waiting_entry(therapist, email)
    if waiting is not None:
        _confirm_again(waiting, now)
        return WaitlistJoined(waiting, already_waiting=True)
    entry = WaitlistEntry(
        therapist=therapist,
        appointment_type=appointment_type,
        name=name,
        email=email,
        phone=phone,
        submission_token=submission_token,
        created_at=now,
    )
    entry.full_clean(exclude=["submission_token"], validate_constraints=False)
    try:
        with transaction.atomic():
            entry.save()
            message_queue(kind=MessageKind.WAITLIST_JOINED, now=now, waitlist_entry=entry)
    except IntegrityError:
        # The same form, or the same address, a moment before us.
        resubmitted = WaitlistEntry.objects.filter(submission_token=submission_token).first()
        if resubmitted is not None:
            return WaitlistJoined(resubmitted, already_waiting=False)
        waiting = _waiting_entry(therapist, email)
        if waiting is None:
            raise
        _confirm_again(waiting, now)
        return WaitlistJoined(waiting, already_waiting=True)
    logger.info("waitlist entry %s joined", entry.uuid)
    return WaitlistJoined(entry, already_waiting=False)


def _confirm_again(entry: WaitlistEntry, now: datetime) -> None:
    if not entry.messages.filter(kind=MessageKind.WAITLIST_JOINED, status__in=PENDING).exists():
        message_queue(kind=MessageKind.WAITLIST_JOINED, now=now, waitlist_entry=entry)


def _waiting_entry(therapist: Therapist, email: str) -> WaitlistEntry | None:
    return WaitlistEntry.objects.filter(
        therapist=therapist, email__iexact=email, status=WaitlistStatus.WAITING
    ).first()


def waitlist_leave(*, entry: WaitlistEntry) -> None:
    """Leave the list: no offer is made, or sent, after this (outbox drops queued ones)."""
    left = WaitlistEntry.objects.filter(pk=entry.pk, status=WaitlistStatus.WAITING).update(
        status=WaitlistStatus.WITHDRAWN
    )
    entry.refresh_from_db(fields=["status"])
    if left:
        logger.info("waitlist entry %s left", entry.uuid)


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
