"""From a therapist's wall-clock hours to absolute instants, across daylight-saving changes.

Everything here counts in integer microseconds since the Unix epoch ("µs"): the slot search does
plain integer arithmetic on them and only turns the answers back into datetimes at the end.

The daylight-saving policy. Working hours are wall-clock times, so a 9:00-17:00 therapist starts
at 9:00 EST in winter and 9:00 EDT in summer; only the nights the clocks change need a decision:

* A wall time that exists once is that instant.
* A wall time that exists twice (the hour repeated when clocks go back) is read as its *later*
  occurrence. A window that starts inside the repeated hour then starts after the clocks went
  back, so it never spans the repeated hour twice.
* A wall time that does not exist (skipped when clocks go forward) is read as the moment the clocks
  jump, the first real instant whose wall clock is not earlier than it. A window 2:30-5:00 on the
  spring-forward night therefore opens at 3:00 (the clocks read 3:00 then), and a window ending at
  2:30 closes at 2:00, the last moment before the jump.
* A window lasts at most its wall-clock span (end - start). This only bites when a window
  contains the whole repeated hour (0:00-3:00 on the fall-back night would otherwise last four
  hours): it keeps its stated start and ends early by the wall clock, after three real hours.

* Starts step by the increment in real time from the window's first instant, so on a change night
  they stay evenly spaced: 1:00-4:00 on the spring-forward night offers 1:00, 1:15, 1:30, 1:45 and
  then 3:00 (the next quarter hour of real time).

So a window is never longer than its wall-clock span, every instant in [open, close) reads a wall
time within [start, end) on its own date, and slot starts, being instants, are always real.

The zone's offsets are read once per date range and then applied arithmetically; zoneinfo keeps
its transitions private, so they are found by sampling the offset once a day and bisecting between
samples that differ. That assumes no zone changes its offset twice within 24 hours; none of the
IANA database's current rules does.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

US_PER_SECOND = 1_000_000
US_PER_DAY = 86_400 * US_PER_SECOND
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
ONE_US = timedelta(microseconds=1)

# Zones' offsets lie within ±26 h (the extreme is +14 h), so instants this far either side of a
# date range cover every wall time on it.
_MARGIN_DAYS = 2


def to_us(moment: datetime) -> int:
    """An aware datetime as exact epoch microseconds."""
    return (moment - EPOCH) // ONE_US


def from_us(instant: int) -> datetime:
    """Epoch microseconds as an aware UTC datetime."""
    # Positional arguments: the keyword form costs half as much again, once per run of slots.
    return EPOCH + timedelta(0, 0, instant)


def duration_us(value: timedelta) -> int:
    return value // ONE_US


def time_of_day_us(value: time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * US_PER_SECOND + (
        value.microsecond
    )


def local_midnight_us(day: date) -> int:
    """The wall clock at the start of `day` as if it were UTC: "naive" epoch microseconds."""
    return (day.toordinal() - EPOCH_ORDINAL) * US_PER_DAY


def _offset_at(zone: ZoneInfo, instant_seconds: int) -> int:
    offset = datetime.fromtimestamp(instant_seconds, zone).utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset at an instant
    return offset // ONE_US


@dataclass(frozen=True, slots=True)
class Transition:
    at: int  # the instant the offset changes, µs
    before: int  # offset in force until then, µs
    after: int  # offset in force from then on, µs


@dataclass(frozen=True, slots=True)
class LocalDays:
    """How the wall clock of `zone` maps to instants on the dates first..last."""

    first_ordinal: int
    # Per date: the one UTC offset every wall time of that date has, or None for a date touched by
    # a transition (a gap or a repeated hour), whose windows take the careful path.
    day_offsets: tuple[int | None, ...]
    transitions: tuple[Transition, ...]

    def careful_window(self, midnight: int, start: int, end: int) -> tuple[int, int]:
        """The instants [open, close) of the wall-clock window start..end (µs since the local
        `midnight`, itself naive µs) on a date a transition touches, following the module's
        policy; close <= open means no time at all."""
        opens = self.instant_of(midnight + start)
        return opens, min(opens + (end - start), self.instant_of(midnight + end))

    def instant_of(self, wall: int) -> int:
        """The latest instant whose wall clock reads `wall` (naive µs), or, for a wall time in a
        gap, the instant the clocks jump over it."""
        readings = [wall - offset for offset, lo, hi in self._pieces() if lo <= wall - offset < hi]
        if readings:
            return max(readings)
        for change in self.transitions:
            if change.at + change.before <= wall < change.at + change.after:
                return change.at
        raise AssertionError("every wall time is either read or skipped")  # pragma: no cover

    def _pieces(self) -> list[tuple[int, int | float, int | float]]:
        """(offset, from, until) for each stretch of constant offset, as instants."""
        if not self.transitions:
            raise AssertionError("dates without transitions take the fast path")  # pragma: no cover
        bounds: list[int | float] = [float("-inf"), *(t.at for t in self.transitions)]
        bounds.append(float("inf"))
        offsets = [self.transitions[0].before, *(t.after for t in self.transitions)]
        return [(offset, bounds[i], bounds[i + 1]) for i, offset in enumerate(offsets)]


@lru_cache(maxsize=256)
def local_days(zone: ZoneInfo, first_ordinal: int, last_ordinal: int) -> LocalDays:
    """The wall-clock map of `zone` over a range of dates (memoised: a practice's therapists
    mostly share one zone and ask about the same dates)."""
    first_second = (first_ordinal - _MARGIN_DAYS - EPOCH_ORDINAL) * 86_400
    samples = range(
        first_second,
        first_second + (last_ordinal - first_ordinal + 2 * _MARGIN_DAYS + 2) * 86_400,
        86_400,
    )
    offsets = [_offset_at(zone, second) for second in samples]
    transitions: list[Transition] = []
    for index in range(1, len(offsets)):
        if offsets[index] != offsets[index - 1]:
            # The first second at which the later offset is in force.
            low, high = samples[index - 1], samples[index]
            while high - low > 1:
                middle = (low + high) // 2
                if _offset_at(zone, middle) == offsets[index]:
                    high = middle
                else:
                    low = middle
            transitions.append(Transition(high * US_PER_SECOND, offsets[index - 1], offsets[index]))

    day_offsets: list[int | None] = []
    for ordinal in range(first_ordinal, last_ordinal + 1):
        midnight = (ordinal - EPOCH_ORDINAL) * US_PER_DAY
        # Wall times a transition disturbs run from before+at to after+at (in either order).
        touched = any(
            min(t.before, t.after) + t.at <= midnight + US_PER_DAY
            and max(t.before, t.after) + t.at >= midnight
            for t in transitions
        )
        if touched:
            day_offsets.append(None)
        else:
            in_force = offsets[0]
            for t in transitions:
                if t.at + max(t.before, t.after) < midnight:
                    in_force = t.after
            day_offsets.append(in_force)
    return LocalDays(first_ordinal, tuple(day_offsets), tuple(transitions))
