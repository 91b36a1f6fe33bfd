"""Free appointment slots for one therapist, from plain data.

The search works on integer epoch microseconds: the busy and unavailable intervals are turned once
into a sorted list of *forbidden start times*, each working window is swept against that list with
bisect to find its free stretches, and the starts inside a stretch are generated arithmetically on
the window's grid. Datetimes are only made for the answers.
"""

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from alliance.scheduling.wallclock import (
    US_PER_DAY,
    duration_us,
    from_us,
    local_days,
    local_midnight_us,
    time_of_day_us,
    to_us,
)


def _require_aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime, got naive {moment.isoformat()}")


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """A therapist's regular hours: wall-clock times in the therapist's own zone."""

    weekday: int  # 0 = Monday … 6 = Sunday, as date.weekday()
    start: time
    end: time
    format: str  # "in_person" or "telehealth"; an opaque label here

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {self.weekday}")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("working hours are wall-clock times: give them without a zone")
        if self.end <= self.start:
            raise ValueError(
                f"working hours must end after they start, got {self.start}-{self.end} "
                "(a window past midnight is two windows)"
            )


@dataclass(frozen=True, slots=True)
class Interval:
    """An absolute span [start, end); aware datetimes in any zone, compared as instants."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _require_aware(self.start, "an interval's start")
        _require_aware(self.end, "an interval's end")
        # As instants: Python compares two datetimes sharing a zone by wall clock, ignoring fold,
        # so 1:00 EST (after the clocks go back) would seem earlier than 1:55 EDT before it.
        if to_us(self.end) < to_us(self.start):
            raise ValueError(f"an interval must not end before it starts: {self.start}-{self.end}")


@dataclass(frozen=True, slots=True)
class SlotRules:
    """How one appointment type is offered."""

    duration: timedelta
    buffer_after: timedelta  # kept free after the appointment (notes, a breather)
    min_notice: timedelta  # earliest bookable start is now + min_notice
    horizon: timedelta  # latest bookable start is now + horizon
    increment: timedelta  # starts step by this from the window's start

    def __post_init__(self) -> None:
        for name in ("duration", "increment"):
            if getattr(self, name) <= timedelta(0):
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        for name in ("buffer_after", "min_notice", "horizon"):
            if getattr(self, name) < timedelta(0):
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")


@dataclass(frozen=True, slots=True)
class Slot:
    """A bookable appointment time."""

    start: datetime  # aware, UTC
    end: datetime  # start + duration, UTC
    formats: frozenset[str]  # every format whose hours offer this start


def _forbidden_starts(
    busy: Sequence[Interval], unavailable: Sequence[Interval], duration: int, buffer: int
) -> tuple[list[int], list[int]]:
    """Starts s with lo <= s < hi for some returned (lo, hi) conflict (as parallel lists of lo
    and hi, sorted, disjoint and not touching).

    A slot's [s, s + duration + buffer) meets a busy [b0, b1) exactly when b0 - duration - buffer
    < s < b1; its [s, s + duration) meets an unavailable [u0, u1) when u0 - duration < s < u1.
    In whole microseconds "> x" is ">= x + 1".
    """
    spans: list[tuple[int, int]] = []
    for intervals, reach in ((busy, duration + buffer), (unavailable, duration)):
        for interval in intervals:
            if not isinstance(interval, Interval):
                raise TypeError(f"expected an Interval, got {interval!r}")
            low, high = to_us(interval.start), to_us(interval.end)
            if high > low:  # an empty interval overlaps nothing
                spans.append((low - reach + 1, high))
    spans.sort()
    starts: list[int] = []
    ends: list[int] = []
    for low, high in spans:
        if ends and low <= ends[-1]:
            if high > ends[-1]:
                ends[-1] = high
        else:
            starts.append(low)
            ends.append(high)
    return starts, ends


def free_slots(
    *,
    hours: Sequence[WeeklyHours],
    zone: ZoneInfo,
    busy: Sequence[Interval],
    unavailable: Sequence[Interval],
    rules: SlotRules,
    first_day: date,
    last_day: date,
    now: datetime,
) -> list[Slot]:
    """Every bookable slot for one therapist on their local dates first_day..last_day, sorted by
    start, in UTC.

    `busy` are active appointments already stretched by their own buffers; a slot keeps its own
    `rules.buffer_after` clear of them. `unavailable` (time off, closures) only has to miss the
    appointment itself. See wallclock.py for how daylight-saving changes are treated.
    """
    if last_day < first_day:
        raise ValueError(f"last_day {last_day} is before first_day {first_day}")
    _require_aware(now, "now")

    duration = duration_us(rules.duration)
    step = duration_us(rules.increment)
    now_us = to_us(now)
    earliest = now_us + duration_us(rules.min_notice)
    latest = now_us + duration_us(rules.horizon)
    blocked_from, blocked_until = _forbidden_starts(
        busy, unavailable, duration, duration_us(rules.buffer_after)
    )

    # Formats become bits so that merging rows is an integer "or"; each distinct set of formats
    # becomes one shared frozenset.
    bits: dict[str, int] = {}
    by_weekday: list[list[tuple[int, int, int]]] = [[] for _ in range(7)]
    for row in hours:
        if not isinstance(row, WeeklyHours):
            raise TypeError(f"expected WeeklyHours, got {row!r}")
        bit = bits.setdefault(row.format, 1 << len(bits))
        by_weekday[row.weekday].append((time_of_day_us(row.start), time_of_day_us(row.end), bit))

    calendar = local_days(zone, first_day.toordinal(), last_day.toordinal())
    windows: list[tuple[int, int, int]] = []
    first_weekday = first_day.weekday()
    first_midnight = local_midnight_us(first_day)
    for index, offset in enumerate(calendar.day_offsets):
        midnight = first_midnight + index * US_PER_DAY
        for start, end, bit in by_weekday[(first_weekday + index) % 7]:
            if offset is not None:
                opens, closes = midnight - offset + start, midnight - offset + end
            else:
                opens, closes = calendar.careful_window(midnight, start, end)
            # Drop what cannot hold a slot or lies wholly outside notice..horizon.
            if closes - opens >= duration and closes - duration >= earliest and opens <= latest:
                windows.append((opens, closes, bit))
    windows.sort()

    names = sorted(bits, key=bits.__getitem__)
    sets_of_formats: dict[int, frozenset[str]] = {}

    def formats_of(mask: int) -> frozenset[str]:
        found = sets_of_formats.get(mask)
        if found is None:
            found = frozenset(name for index, name in enumerate(names) if mask >> index & 1)
            sets_of_formats[mask] = found
        return found

    slots: list[Slot] = []
    count = len(windows)
    index = 0
    while index < count:
        # A cluster is a run of windows that overlap in time; only there can two rows offer the
        # same start, so only there do starts go through a dict to merge their formats.
        cluster_end = index + 1
        reach = windows[index][1]
        while cluster_end < count and windows[cluster_end][0] < reach:
            reach = max(reach, windows[cluster_end][1])
            cluster_end += 1
        if cluster_end == index + 1:
            opens, closes, bit = windows[index]
            formats = formats_of(bit)
            for first, stop in _free_runs(
                opens, closes, duration, step, earliest, latest, blocked_from, blocked_until
            ):
                _append_run(slots, first, (stop - first) // step, rules, formats)
        else:
            merged: dict[int, int] = {}
            for opens, closes, bit in windows[index:cluster_end]:
                for first, stop in _free_runs(
                    opens, closes, duration, step, earliest, latest, blocked_from, blocked_until
                ):
                    for start in range(first, stop, step):
                        merged[start] = merged.get(start, 0) | bit
            for start in sorted(merged):
                _append_run(slots, start, 1, rules, formats_of(merged[start]))
        index = cluster_end
    return slots


# Making the answers is most of the work (tens of thousands of slots for a practice's week-view),
# and a frozen dataclass's generated __init__ stores each field through object.__setattr__ by
# name. Storing through the slot descriptors directly does the same thing at about half the cost;
# Slot has no __post_init__, so nothing is skipped.
_new_slot = object.__new__
_set_start: Callable[[Slot, datetime], None] = Slot.__dict__["start"].__set__
_set_end: Callable[[Slot, datetime], None] = Slot.__dict__["end"].__set__
_set_formats: Callable[[Slot, frozenset[str]], None] = Slot.__dict__["formats"].__set__


def _append_run(
    slots: list[Slot], first: int, count: int, rules: SlotRules, formats: frozenset[str]
) -> None:
    """Append `count` slots starting at `first` (epoch µs) and every increment after it."""
    append, new, set_start, set_end, set_formats = (
        slots.append,
        _new_slot,
        _set_start,
        _set_end,
        _set_formats,
    )
    step = rules.increment
    duration = rules.duration
    moment = from_us(first)
    for _ in range(count):
        slot = new(Slot)
        set_start(slot, moment)
        set_end(slot, moment + duration)
        set_formats(slot, formats)
        append(slot)
        moment += step


def _free_runs(
    opens: int,
    closes: int,
    duration: int,
    step: int,
    earliest: int,
    latest: int,
    blocked_from: list[int],
    blocked_until: list[int],
) -> list[tuple[int, int]]:
    """(first, stop) pairs: the window's grid starts first, first + step, … < stop that are
    allowed (inside notice..horizon, the slot fits the window, no conflict)."""
    low = max(opens, earliest)
    high = min(closes - duration, latest)  # inclusive
    runs: list[tuple[int, int]] = []
    if low > high:
        return runs
    start = opens - (opens - low) // step * step  # first grid point >= low
    position = bisect_right(blocked_until, start)  # first forbidden span ending after start
    blocked_count = len(blocked_from)
    while start <= high:
        # A large step can leap over whole forbidden spans.
        while position < blocked_count and blocked_until[position] <= start:
            position += 1
        if position < blocked_count and blocked_from[position] <= start:
            # Inside a forbidden span: resume at the first grid point at or after its end.
            start = opens - (opens - blocked_until[position]) // step * step
            continue
        limit = high + 1
        if position < blocked_count and blocked_from[position] < limit:
            limit = blocked_from[position]
        stop = start + ((limit - start - 1) // step + 1) * step
        runs.append((start, stop))
        start = stop
    return runs
