"""A therapist's weekly hours read as a whole: which formats hold a given time, and the hours as
a person reads them ("Mon to Thu, 9 AM to 5 PM; Fri, 9 AM to 1 PM")."""

from collections.abc import Iterable, Sequence
from datetime import datetime, time
from zoneinfo import ZoneInfo

from alliance.scheduling.slots import WeeklyHours

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

Window = tuple[time, time]


def _merged(windows: Iterable[Window]) -> list[Window]:
    """Windows that overlap or touch become one: 9 to 12 and 12 to 5 hold a session at 11:30."""
    merged: list[Window] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def formats_at(
    hours: Sequence[WeeklyHours], zone: ZoneInfo, start: datetime, end: datetime
) -> frozenset[str]:
    """The formats whose hours hold all of [start, end) on the wall clock of `zone`; empty when
    the time is outside every window (or runs past midnight)."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if local_end.date() != local_start.date():
        return frozenset()
    weekday = local_start.weekday()
    found = set()
    for format in {row.format for row in hours if row.weekday == weekday}:
        windows = _merged(
            (row.start, row.end) for row in hours if row.weekday == weekday and row.format == format
        )
        if any(
            opens <= local_start.time() and local_end.time() <= closes for opens, closes in windows
        ):
            found.add(format)
    return frozenset(found)


def _clock(moment: time) -> str:
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes} {'AM' if moment.hour < 12 else 'PM'}"


def format_hours(hours: Sequence[WeeklyHours]) -> str:
    """Every format's hours together, days alike in a row joined; "" when there are none."""
    by_day = [
        tuple(_merged((row.start, row.end) for row in hours if row.weekday == day))
        for day in range(7)
    ]
    parts: list[str] = []
    day = 0
    while day < 7:
        last = day
        while last + 1 < 7 and by_day[last + 1] == by_day[day]:
            last += 1
        if by_day[day]:
            days = _WEEKDAYS[day] if last == day else f"{_WEEKDAYS[day]} to {_WEEKDAYS[last]}"
            spans = " and ".join(
                f"{_clock(opens)} to {_clock(closes)}" for opens, closes in by_day[day]
            )
            parts.append(f"{days}, {spans}")
        day = last + 1
    return "; ".join(parts)
