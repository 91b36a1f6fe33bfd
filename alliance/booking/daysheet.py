"""The practice's day and week for the staff: what a person may see, loaded in a fixed number of
queries whatever the number of therapists or appointments, and laid out by
alliance.scheduling.daygrid."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q

from alliance.accounts.models import User
from alliance.booking.access import therapists_for_user
from alliance.booking.models import Appointment, AppointmentStatus, TimeOff, WorkingHours
from alliance.booking.today import local_day_bounds
from alliance.practice.models import Therapist
from alliance.scheduling.daygrid import (
    DAY_MINUTES,
    Block,
    CellKind,
    Column,
    clock_label,
    day_grid,
    open_minutes,
)


@dataclass(frozen=True, slots=True)
class SheetCell:
    kind: str
    rows: int
    therapist: Therapist
    chosen: bool  # the one column a phone shows
    book_at: str = ""  # "HH:MM" where a booking may start
    book_label: str = ""
    appointments: list[Appointment] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SheetRow:
    label: str
    cells: list[SheetCell]


@dataclass(frozen=True, slots=True)
class DaySheet:
    therapists: list[Therapist]  # the columns: those with hours or appointments that day
    chosen: Therapist | None
    rows: list[SheetRow]


def _minute(moment: datetime, day: date, zone: ZoneInfo) -> int:
    """`moment` as minutes after `day`'s local midnight, held to that day."""
    local = moment.astimezone(zone)
    if local.date() != day:
        return 0 if local.date() < day else DAY_MINUTES
    return local.hour * 60 + local.minute


def _block(key: int, appointment: Appointment, day: date, zone: ZoneInfo) -> Block:
    start = _minute(appointment.start, day, zone)
    end = max(_minute(appointment.end, day, zone), start + 1)
    held = max(_minute(appointment.blocked_until, day, zone), end)
    return Block(key=key, start=start, end=end, held_until=held, holds_time=appointment.is_active)


def _day_appointments(user: User, day: date, zone: ZoneInfo) -> list[Appointment]:
    start, end = local_day_bounds(day, zone)
    return list(
        Appointment.objects.visible_to(user)
        .filter(start__lt=end, end__gt=start)
        .exclude(status=AppointmentStatus.ENTERED_IN_ERROR)
        .select_related("client", "appointment_type", "therapist")
        .order_by("start")
    )


def practice_day(
    *, user: User, day: date, zone: ZoneInfo, now: datetime, chosen_slug: str
) -> DaySheet:
    """Columns per therapist, rows of half an hour; free working time from now on is bookable."""
    start, end = local_day_bounds(day, zone)
    everyone = list(therapists_for_user(user).order_by("name"))
    appointments = _day_appointments(user, day, zone)
    hours: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for therapist_id, opens, closes in WorkingHours.objects.filter(
        therapist__in=everyone, weekday=day.weekday()
    ).values_list("therapist_id", "start", "end"):
        hours[therapist_id].append(
            (opens.hour * 60 + opens.minute, closes.hour * 60 + closes.minute)
        )
    off = list(
        TimeOff.objects.filter(
            Q(therapist__in=everyone) | Q(therapist__isnull=True), start__lt=end, end__gt=start
        ).values_list("therapist_id", "start", "end")
    )
    booked: dict[int, list[Appointment]] = defaultdict(list)
    for appointment in appointments:
        booked[appointment.therapist_id].append(appointment)
    therapists = [t for t in everyone if hours.get(t.pk) or booked.get(t.pk)]
    chosen = next((t for t in therapists if t.slug == chosen_slug), None) or next(
        iter(therapists), None
    )
    passed = _minute(now, day, zone)
    columns = []
    for therapist in therapists:
        closed = [(0, passed)] + [
            (_minute(low, day, zone), _minute(high, day, zone))
            for owner, low, high in off
            if owner in (None, therapist.pk)
        ]
        blocks = [_block(index, a, day, zone) for index, a in enumerate(booked[therapist.pk])]
        columns.append(Column(blocks=blocks, open=open_minutes(hours[therapist.pk], closed)))
    rows = []
    for row in day_grid(columns):
        cells = []
        for therapist, cell in zip(therapists, row.cells, strict=True):
            if cell is None:
                continue
            free = cell.kind == CellKind.FREE
            cells.append(
                SheetCell(
                    kind=cell.kind.value,
                    rows=cell.rows,
                    therapist=therapist,
                    chosen=therapist == chosen,
                    book_at=f"{cell.start // 60:02d}:{cell.start % 60:02d}" if free else "",
                    book_label=clock_label(cell.start) if free else "",
                    appointments=[booked[therapist.pk][key] for key in cell.keys],
                )
            )
        rows.append(SheetRow(label=clock_label(row.minute), cells=cells))
    return DaySheet(therapists=therapists, chosen=chosen, rows=rows)


def practice_week(
    *, user: User, first: date, zone: ZoneInfo
) -> list[tuple[date, list[Appointment]]]:
    """Seven days from `first`, each with every appointment the person may see, in order."""
    days = [first + timedelta(days=offset) for offset in range(7)]
    start, _ = local_day_bounds(days[0], zone)
    _, end = local_day_bounds(days[-1], zone)
    by_day: dict[date, list[Appointment]] = {day: [] for day in days}
    for appointment in (
        Appointment.objects.visible_to(user)
        .filter(start__gte=start, start__lt=end)
        .exclude(status=AppointmentStatus.ENTERED_IN_ERROR)
        .select_related("client", "appointment_type", "therapist")
        .order_by("start", "therapist__name")
    ):
        by_day[appointment.start.astimezone(zone).date()].append(appointment)
    return list(by_day.items())
