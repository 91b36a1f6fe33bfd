"""Writes that book, move, cancel and close appointments (services, `<noun>_<verb>`).

Double booking is impossible whatever writes the row: the database refuses an overlapping active
appointment (migration 0004). These services turn that refusal into `SlotTaken`, which carries the
next free times, so a person who loses a race is offered alternatives instead of an error.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from alliance.accounts.models import User
from alliance.booking.availability import (
    next_free_slots,
    slot_offered,
    therapist_weekly_hours,
)
from alliance.booking.formats import reschedule_format
from alliance.booking.messages import (
    messages_cancel_pending,
    messages_cancel_reminders,
    messages_schedule,
    messages_schedule_new_link,
)
from alliance.booking.models import (
    Appointment,
    AppointmentFormat,
    AppointmentSeries,
    AppointmentStatus,
    AppointmentType,
    BookingMessage,
    OfferStatus,
    TimeOff,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistStatus,
)
from alliance.booking.waitlist import waitlist_offer_freed
from alliance.clients.models import Client
from alliance.practice.models import Practice, Therapist, practice_zone
from alliance.scheduling.display import format_local
from alliance.scheduling.hours import formats_at
from alliance.scheduling.slots import Slot

logger = logging.getLogger(__name__)


class BookingError(Exception):
    """A booking that cannot be made, with a message fit to show the person."""


@dataclass
class SlotRefused(BookingError):
    """A time that cannot be booked, with the next free times to offer instead."""

    alternatives: list[Slot] = field(default_factory=list)
    message: str = "That time is not available."

    def __str__(self) -> str:
        return self.message


@dataclass
class SlotTaken(SlotRefused):
    """Someone else holds the time (often: took it a moment ago)."""

    message: str = "That time was just taken."


@dataclass
class SlotUnavailable(SlotRefused):
    """The time is not, or no longer, offered: outside hours, too soon, too far ahead, or not
    in the chosen format."""


def _is_overlap(error: IntegrityError) -> bool:
    return "appointment_no_overlap" in str(error)


def appointment_book(
    *,
    therapist: Therapist,
    appointment_type: AppointmentType,
    client: Client,
    start: datetime,
    format: str,
    idempotency_key: str | None = None,
    created_by: User | None = None,
    within_availability: bool = True,
    series: AppointmentSeries | None = None,
    send_confirmation: bool = True,
    key_checked: bool = False,
) -> Appointment:
    """Book one appointment. Retried with the same idempotency key, it returns the first one.

    `within_availability`: public and client bookings must take one of the offered free times;
    staff may book outside working hours, but never on top of another appointment.
    `key_checked`: the caller has just looked the idempotency key up itself.
    """
    if idempotency_key and not key_checked:
        existing = Appointment.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    now = timezone.now()
    if within_availability:
        slot_check(
            therapist=therapist,
            appointment_type=appointment_type,
            start=start,
            format=format,
            now=now,
        )
    appointment = Appointment(
        therapist=therapist,
        client=client,
        appointment_type=appointment_type,
        format=format,
        start=start,
        end=start + appointment_type.duration,
        blocked_until=start + appointment_type.duration + appointment_type.buffer_after,
        status=AppointmentStatus.BOOKED,
        idempotency_key=idempotency_key or None,
        created_by=created_by,
        series=series,
        created_at=now,
    )
    # Field checks only: uniqueness and the overlap and ordering constraints are the database's
    # to enforce (a failure arrives as IntegrityError below), and checking them here too would
    # double the statements on the hottest path in the practice.
    appointment.full_clean(
        exclude=["therapist", "client", "appointment_type", "series", "created_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    try:
        with transaction.atomic():
            appointment.save()
            messages_schedule(appointment=appointment, confirmation=send_confirmation, now=now)
    except IntegrityError as error:
        if idempotency_key:
            existing = Appointment.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing  # the same request, retried concurrently, won
        if _is_overlap(error):
            raise SlotTaken(
                next_free_slots(
                    therapist=therapist,
                    appointment_type=appointment_type,
                    after=start,
                    now=now,
                    format=format,
                )
            ) from None
        raise
    logger.info("appointment %s booked", appointment.uuid)
    return appointment


def slot_check(
    *,
    therapist: Therapist,
    appointment_type: AppointmentType,
    start: datetime,
    format: str,
    now: datetime,
) -> None:
    """Raise SlotRefused unless `start` is one of the offered free times, in `format`."""
    slot = slot_offered(
        therapist=therapist, appointment_type=appointment_type, start=start, now=now
    )
    if slot is None:
        raise unavailable_or_taken(therapist, appointment_type, start, now, format=format)
    if format not in slot.formats:
        labels = dict(AppointmentFormat.choices)
        offered = " or ".join(sorted(labels[value].lower() for value in slot.formats))
        raise SlotUnavailable([slot], f"That time is offered only {offered}.")


def unavailable_or_taken(
    therapist: Therapist,
    appointment_type: AppointmentType,
    start: datetime,
    now: datetime,
    *,
    format: str | None = None,
) -> SlotRefused:
    """Not offered: because someone holds it (taken) or because it never was (unavailable)."""
    held = Appointment.objects.active().filter(
        therapist=therapist,
        start__lt=start + appointment_type.duration + appointment_type.buffer_after,
        blocked_until__gt=start,
    )
    if held.exists():
        return SlotTaken(
            next_free_slots(
                therapist=therapist,
                appointment_type=appointment_type,
                after=start,
                now=now,
                format=format,
            )
        )
    return SlotUnavailable(
        next_free_slots(
            therapist=therapist,
            appointment_type=appointment_type,
            after=start,
            now=now,
            format=format,
        ),
        "That time is not available.",
    )


def appointment_reschedule(
    *, appointment: Appointment, start: datetime, within_availability: bool = True
) -> BookingMessage | None:
    """Move an appointment in place: same UID in calendars, SEQUENCE goes up. It keeps its
    format where the new time allows it, else takes the one allowed (reschedule_format); the
    caller compares `format` before and after to say so.

    Returns the e-mail that tells the client, or None when they have no address."""
    now = timezone.now()
    if not appointment.is_active or appointment.start <= now:
        raise BookingError("This appointment can no longer be moved.")
    if within_availability and (
        slot_offered(
            therapist=appointment.therapist,
            appointment_type=appointment.appointment_type,
            start=start,
            now=now,
            ignore=appointment,
        )
        is None
    ):
        raise unavailable_or_taken(appointment.therapist, appointment.appointment_type, start, now)
    duration = appointment.end - appointment.start
    buffer = appointment.blocked_until - appointment.end
    old_format = appointment.format
    appointment.format = reschedule_format(appointment=appointment, start=start)
    appointment.start = start
    appointment.end = start + duration
    appointment.blocked_until = start + duration + buffer
    appointment.sequence += 1
    try:
        with transaction.atomic():
            appointment.save()
            messages_cancel_pending(appointment=appointment)
            told = messages_schedule(
                appointment=appointment,
                rescheduled=True,
                format_changed=appointment.format != old_format,
                now=now,
            )
    except IntegrityError as error:
        appointment.refresh_from_db()
        if _is_overlap(error):
            raise SlotTaken(
                next_free_slots(
                    therapist=appointment.therapist,
                    appointment_type=appointment.appointment_type,
                    after=start,
                    now=now,
                )
            ) from None
        raise
    logger.info("appointment %s moved", appointment.uuid)
    return told


def appointment_is_late_cancel(appointment: Appointment, now: datetime) -> bool:
    window = Practice.objects.current().late_cancel_hours
    return appointment.start - now < timedelta(hours=window)


@transaction.atomic
def appointment_cancel(*, appointment: Appointment) -> BookingMessage | None:
    """Cancel; inside the practice's window it is recorded as a late cancellation.

    Returns the e-mail that tells the client, or None when they have no address."""
    now = timezone.now()
    if not appointment.is_active or appointment.start <= now:
        raise BookingError("This appointment can no longer be cancelled.")
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = now
    appointment.late_cancellation = appointment_is_late_cancel(appointment, now)
    appointment.sequence += 1
    appointment.token_version += 1  # a cancelled appointment's links, forwarded or not, end
    appointment.save()
    messages_cancel_pending(appointment=appointment)
    told = messages_schedule(appointment=appointment, cancelled=True, now=now)
    waitlist_offer_freed(appointment=appointment, now=now)
    logger.info("appointment %s cancelled", appointment.uuid)
    return told


@transaction.atomic
def appointment_link_revoke(*, appointment: Appointment) -> bool:
    """End every manage link sent so far; True when a new one is on its way to the client
    (they have an e-mail address and the appointment is still ahead)."""
    now = timezone.now()
    Appointment.objects.filter(pk=appointment.pk).update(token_version=F("token_version") + 1)
    appointment.refresh_from_db(fields=["token_version"])
    logger.info("appointment %s manage link revoked", appointment.uuid)
    if not appointment.client.email or not appointment.is_active or appointment.start <= now:
        return False
    messages_schedule_new_link(appointment=appointment, now=now)
    return True


def waitlist_offer_accept(*, offer: WaitlistOffer) -> Appointment:
    """The first person to accept a freed time books it; later ones are told it is taken."""
    entry = offer.entry
    if offer.status != OfferStatus.OPEN:
        raise SlotTaken([])
    now = timezone.now()
    slot = slot_offered(
        therapist=entry.therapist,
        appointment_type=entry.appointment_type,
        start=offer.start,
        now=now,
    )
    if slot is None:
        WaitlistOffer.objects.filter(pk=offer.pk).update(status=OfferStatus.LOST)
        raise unavailable_or_taken(entry.therapist, entry.appointment_type, offer.start, now)
    with transaction.atomic():
        client = Client.objects.create(
            name=entry.name, email=entry.email, phone=entry.phone, therapist=entry.therapist
        )
        appointment = appointment_book(
            therapist=entry.therapist,
            appointment_type=entry.appointment_type,
            client=client,
            start=offer.start,
            # Video when offered: the person asked for the earliest time, wherever it is.
            format=(
                AppointmentFormat.TELEHEALTH
                if AppointmentFormat.TELEHEALTH in slot.formats
                else min(slot.formats)
            ),
            idempotency_key=f"offer:{offer.uuid}",
        )
        WaitlistOffer.objects.filter(pk=offer.pk).update(
            status=OfferStatus.ACCEPTED, appointment=appointment
        )
        WaitlistOffer.objects.filter(
            entry__therapist=entry.therapist, start=offer.start, status=OfferStatus.OPEN
        ).update(status=OfferStatus.LOST)
        WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistStatus.BOOKED)
    return appointment


CLOSING_STATUSES = (
    AppointmentStatus.ARRIVED,
    AppointmentStatus.FULFILLED,
    AppointmentStatus.NOSHOW,
    AppointmentStatus.ENTERED_IN_ERROR,
)


# Statuses that say the session took place (or that the client did not come to it).
HAPPENED_STATUSES = (
    AppointmentStatus.ARRIVED,
    AppointmentStatus.FULFILLED,
    AppointmentStatus.NOSHOW,
)


@transaction.atomic
def appointment_mark(*, appointment: Appointment, status: str) -> Appointment:
    """Staff record what happened: arrived, attended, no-show, or entered in error.

    What happened can be recorded late but never early: a session is marked once it has started.
    """
    if status not in CLOSING_STATUSES:
        raise BookingError("Choose arrived, attended, no-show or entered in error.")
    if status in HAPPENED_STATUSES and appointment.start > timezone.now():
        when = format_local(appointment.start, practice_zone())
        raise BookingError(
            "A session can be marked arrived, attended or no-show only once it has started "
            f"({when})."
        )
    appointment.status = status
    appointment.save()
    if status in (AppointmentStatus.ENTERED_IN_ERROR, AppointmentStatus.NOSHOW):
        messages_cancel_pending(appointment=appointment)
    else:
        # The check-in stays queued for the session's end (booking/emails.py).
        messages_cancel_reminders(appointment=appointment)
    return appointment


def appointment_book_for_visitor(
    *,
    therapist: Therapist,
    appointment_type: AppointmentType,
    name: str,
    email: str,
    phone: str,
    start: datetime,
    format: str,
    idempotency_key: str,
) -> Appointment:
    """A visitor books a free time of a type anyone may book: a new client record and the
    appointment, or neither.

    Each visitor booking starts a client record of its own (staff merge duplicates): matching
    strangers by e-mail would let anyone attach a booking to someone else's record. Sessions,
    which only clients book, are confirmed by e-mail instead (alliance.booking.pending).
    """
    if not appointment_type.bookable_by_public:
        raise BookingError("This kind of appointment is booked by our clients only.")
    existing = Appointment.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        client = Client.objects.create(name=name, email=email, phone=phone, therapist=None)
        return appointment_book(
            therapist=therapist,
            appointment_type=appointment_type,
            client=client,
            start=start,
            format=format,
            idempotency_key=idempotency_key,
            key_checked=True,
        )


@dataclass
class SeriesPlan:
    """Every occurrence of a recurring booking, those that cannot be booked (and why), and those
    outside the therapist's working hours: bookable, but staff are asked first."""

    starts: list[datetime]
    conflicts: list[tuple[datetime, str]]
    outside_hours: list[datetime] = field(default_factory=list)

    @property
    def free(self) -> list[datetime]:
        taken = {start for start, _ in self.conflicts}
        return [start for start in self.starts if start not in taken]


def series_plan(
    *,
    therapist: Therapist,
    appointment_type: AppointmentType,
    first_start: datetime,
    interval_weeks: int,
    count: int,
) -> SeriesPlan:
    """Check every occurrence, not just the first few, before anything is saved.

    Occurrences keep the same wall-clock time in the practice's zone across DST changes.
    """
    zone = practice_zone()
    local_first = first_start.astimezone(zone)
    starts = [
        datetime.combine(
            local_first.date() + timedelta(weeks=interval_weeks * number),
            local_first.time(),
            zone,
        )
        for number in range(count)
    ]
    length = appointment_type.duration + appointment_type.buffer_after
    # Two queries for the whole series, however many sessions it has.
    held = list(
        Appointment.objects.active()
        .filter(therapist=therapist, start__lt=starts[-1] + length, blocked_until__gt=starts[0])
        .values_list("start", "blocked_until")
    )
    away = list(
        TimeOff.objects.filter(Q(therapist=therapist) | Q(therapist__isnull=True))
        .filter(start__lt=starts[-1] + appointment_type.duration, end__gt=starts[0])
        .values_list("start", "end")
    )
    conflicts: list[tuple[datetime, str]] = []
    for start in starts:
        if any(other < start + length and start < until for other, until in held):
            conflicts.append((start, "another appointment"))
        elif any(
            begins < start + appointment_type.duration and start < ends for begins, ends in away
        ):
            conflicts.append((start, "time off or a closure"))
    hours = therapist_weekly_hours(therapist)
    outside = [
        start
        for start in starts
        if not formats_at(hours, zone, start, start + appointment_type.duration)
    ]
    return SeriesPlan(starts=starts, conflicts=conflicts, outside_hours=outside)


@transaction.atomic
def appointment_series_book(
    *,
    therapist: Therapist,
    appointment_type: AppointmentType,
    client: Client,
    plan: SeriesPlan,
    format: str,
    interval_weeks: int,
    created_by: User | None,
) -> list[Appointment]:
    """Book the plan's free occurrences together: all of them or, if any is taken meanwhile,
    none (SlotTaken)."""
    series = (
        AppointmentSeries.objects.create(interval_weeks=interval_weeks)
        if len(plan.starts) > 1
        else None
    )
    return [
        appointment_book(
            therapist=therapist,
            appointment_type=appointment_type,
            client=client,
            start=start,
            format=format,
            created_by=created_by,
            within_availability=False,
            series=series,
            # One confirmation for the series (the first session); each gets its reminders.
            send_confirmation=number == 0,
        )
        for number, start in enumerate(plan.free)
    ]
