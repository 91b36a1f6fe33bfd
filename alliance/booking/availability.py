"""The thin shell around alliance.scheduling: load one therapist's hours, time off and
appointments for a date range, and ask the pure core for free slots."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q

from alliance.booking.models import Appointment, AppointmentType, TimeOff, WorkingHours
from alliance.practice.models import Therapist, practice_zone
from alliance.scheduling.slots import Interval, Slot, SlotRules, WeeklyHours, free_slots


def slot_rules(appointment_type: AppointmentType) -> SlotRules:
    return SlotRules(
        duration=appointment_type.duration,
        buffer_after=appointment_type.buffer_after,
        min_notice=timedelta(hours=appointment_type.min_notice_hours),
        horizon=timedelta(days=appointment_type.horizon_days),
        increment=timedelta(minutes=appointment_type.increment_minutes),
    )


def therapist_weekly_hours(therapist: Therapist) -> list[WeeklyHours]:
    return [
        WeeklyHours(weekday=row.weekday, start=row.start, end=row.end, format=row.format)
        for row in WorkingHours.objects.filter(therapist=therapist)
    ]


def therapist_slots(
    *,
    therapist: Therapist,
    appointment_type: AppointmentType,
    first_day: date,
    last_day: date,
    now: datetime,
    zone: ZoneInfo | None = None,
    ignore: Appointment | None = None,
) -> list[Slot]:
    """Free slots for one therapist; `ignore` leaves out the appointment being moved."""
    zone = zone or practice_zone()
    # Generous bounds in UTC: a local day spans at most 26 hours around its UTC date.
    lower = datetime.combine(first_day, datetime.min.time(), zone) - timedelta(days=1)
    upper = datetime.combine(last_day, datetime.max.time(), zone) + timedelta(days=1)
    hours = therapist_weekly_hours(therapist)
    appointments = Appointment.objects.active().filter(
        therapist=therapist, start__lt=upper, blocked_until__gt=lower
    )
    if ignore is not None:
        appointments = appointments.exclude(pk=ignore.pk)
    busy = [
        Interval(start=start, end=blocked_until)
        for start, blocked_until in appointments.values_list("start", "blocked_until")
    ]
    unavailable = [
        Interval(start=start, end=end)
        for start, end in TimeOff.objects.filter(
            Q(therapist=therapist) | Q(therapist__isnull=True), start__lt=upper, end__gt=lower
        ).values_list("start", "end")
    ]
    return free_slots(
        hours=hours,
        zone=zone,
        busy=busy,
        unavailable=unavailable,
        rules=slot_rules(appointment_type),
        first_day=first_day,
        last_day=last_day,
        now=now,
    )


def slot_offered(
    *,
    therapist: Therapist,
    appointment_type: AppointmentType,
    start: datetime,
    now: datetime,
    ignore: Appointment | None = None,
) -> Slot | None:
    """The free slot starting exactly at `start`, or None when that time is not offered."""
    zone = practice_zone()
    day = start.astimezone(zone).date()
    for slot in therapist_slots(
        therapist=therapist,
        appointment_type=appointment_type,
        first_day=day,
        last_day=day,
        now=now,
        zone=zone,
        ignore=ignore,
    ):
        if slot.start == start:
            return slot
    return None


def next_free_slots(
    *,
    therapist: Therapist,
    appointment_type: AppointmentType,
    after: datetime,
    now: datetime,
    format: str | None = None,
    count: int = 3,
) -> list[Slot]:
    """The next few free times after `after`, for "that time was just taken": in `format` when
    the person chose one (a time offered only the other way would be refused by their form), or
    any format when none is left in theirs.

    Looks a week at a time, so a busy day costs one small query, not the whole horizon.
    """
    zone = practice_zone()
    first_day = after.astimezone(zone).date()
    horizon_day = (now + timedelta(days=appointment_type.horizon_days)).astimezone(zone).date()
    found: list[Slot] = []
    fitting: list[Slot] = []
    while first_day <= horizon_day and len(fitting) < count:
        last_day = min(first_day + timedelta(days=6), horizon_day)
        later = [
            slot
            for slot in therapist_slots(
                therapist=therapist,
                appointment_type=appointment_type,
                first_day=first_day,
                last_day=last_day,
                now=now,
                zone=zone,
            )
            if slot.start > after
        ]
        found += later
        fitting += [slot for slot in later if format is None or format in slot.formats]
        first_day = last_day + timedelta(days=1)
    return (fitting or found)[:count]
