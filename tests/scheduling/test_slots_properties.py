"""Free slots against random practices: zones with and without daylight saving (Lord Howe's is
half an hour), date ranges drawn around their change days, overlapping rows, busy and unavailable
time anywhere, and rules of every shape."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from alliance.scheduling import Interval, Slot, SlotRules, WeeklyHours, free_slots

ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "Pacific/Honolulu",
    "Europe/London",
    "Australia/Lord_Howe",
]
_US = [date(2026, 3, 8), date(2026, 11, 1), date(2027, 3, 14), date(2027, 11, 7)]
CHANGE_DAYS = {
    "America/New_York": _US,
    "America/Chicago": _US,
    "America/Denver": _US,
    "America/Los_Angeles": _US,
    "Europe/London": [date(2026, 3, 29), date(2026, 10, 25), date(2027, 3, 28)],
    "Australia/Lord_Howe": [date(2026, 4, 5), date(2026, 10, 4), date(2027, 4, 4)],
}
MINUTE = timedelta(minutes=1)
ONE_US = timedelta(microseconds=1)
EXAMPLES = settings(deadline=None, max_examples=200)


@dataclass(frozen=True)
class Practice:
    zone: ZoneInfo
    hours: list[WeeklyHours]
    busy: list[Interval]
    unavailable: list[Interval]
    rules: SlotRules
    first_day: date
    last_day: date
    now: datetime

    def slots(self, *, clear: bool = False) -> list[Slot]:
        return free_slots(
            hours=self.hours,
            zone=self.zone,
            busy=[] if clear else self.busy,
            unavailable=[] if clear else self.unavailable,
            rules=self.rules,
            first_day=self.first_day,
            last_day=self.last_day,
            now=self.now,
        )


def minutes(count: int) -> timedelta:
    return count * MINUTE


@st.composite
def weekly_hours(draw: st.DrawFn, likely_weekdays: list[int]) -> WeeklyHours:
    grain = draw(st.sampled_from([5, 15]))
    # Often the small hours, where the clocks change.
    start_hour = draw(st.one_of(st.integers(0, 4), st.integers(0, 22)))
    start = start_hour * 60 + grain * draw(st.integers(0, 60 // grain - 1))
    length = grain * draw(st.integers(1, min(8 * 60, 24 * 60 - grain - start) // grain))
    end = start + length
    return WeeklyHours(
        draw(st.sampled_from(likely_weekdays) | st.integers(0, 6)),
        time(start // 60, start % 60),
        time(end // 60, end % 60),
        draw(st.sampled_from(["in_person", "telehealth"])),
    )


@st.composite
def intervals(
    draw: st.DrawFn, zone: ZoneInfo, days: list[date], hours: list[WeeklyHours]
) -> Interval:
    """Mostly near working hours, so that they take slots away; 5-minute alignment makes touching
    ends (the edge that matters) common."""
    day = draw(st.sampled_from(days))
    near_hours = draw(st.booleans())
    if hours and near_hours:
        row = draw(st.sampled_from(hours))
        wall = datetime.combine(day, row.start) + minutes(5 * draw(st.integers(-12, 8 * 12)))
    else:
        wall = datetime.combine(day, time(0)) + minutes(5 * draw(st.integers(0, 24 * 12 - 1)))
    start = wall.replace(tzinfo=zone, fold=draw(st.integers(0, 1))).astimezone(UTC)
    length = minutes(draw(st.one_of(st.integers(1, 90), st.integers(1, 36 * 60))))
    shown_in = draw(st.sampled_from([UTC, zone, ZoneInfo("Asia/Kolkata")]))
    return Interval(start.astimezone(shown_in), (start + length).astimezone(shown_in))


@st.composite
def practices(draw: st.DrawFn) -> Practice:
    zone_name = draw(st.sampled_from(ZONES))
    zone = ZoneInfo(zone_name)
    change_days = CHANGE_DAYS.get(zone_name, [])
    anytime = st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31))
    anchor = draw(st.sampled_from(change_days) | anytime if change_days else anytime)
    first_day = anchor - timedelta(days=draw(st.integers(0, 3)))
    last_day = anchor + timedelta(days=draw(st.integers(0, 5)))
    days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    # Mostly the weekdays the range has, and above all the change day's.
    likely_weekdays = [day.weekday() for day in days]
    if anchor in change_days:
        likely_weekdays = [anchor.weekday()] * len(days) + likely_weekdays
    hours = draw(st.lists(weekly_hours(likely_weekdays), min_size=1, max_size=4))
    if draw(st.booleans()):
        # A second row overlapping the first, often of the other format: the merge case.
        first = hours[0]
        start = first.start.hour * 60 + first.start.minute + 5 * draw(st.integers(-6, 6))
        if start >= 0 and time(start // 60, start % 60) < first.end:
            fmt = draw(st.sampled_from(["in_person", "telehealth"]))
            hours.append(WeeklyHours(first.weekday, time(start // 60, start % 60), first.end, fmt))

    rules = SlotRules(
        duration=minutes(draw(st.sampled_from([5, 15, 30, 45, 50, 60, 90]))),
        buffer_after=minutes(draw(st.sampled_from([0, 5, 10, 15]))),
        min_notice=draw(st.sampled_from([timedelta(0), timedelta(hours=1), timedelta(hours=24)])),
        horizon=draw(
            st.sampled_from([timedelta(days=60)] * 8 + [timedelta(hours=30), timedelta(0)])
        ),
        increment=minutes(draw(st.sampled_from([5, 10, 15, 20, 30, 45, 60]))),
    )
    range_start = datetime.combine(first_day, time(0), zone).astimezone(UTC)
    # Usually before the range (everything is bookable but for notice); sometimes inside it.
    before = st.integers(-3 * 24 * 60, 0)
    now = range_start + minutes(
        draw(before | before | st.integers(-3 * 24 * 60, len(days) * 24 * 60))
    )
    busy = draw(st.lists(intervals(zone, days, hours), max_size=6))
    unavailable = draw(st.lists(intervals(zone, days, hours), max_size=2))
    return Practice(zone, hours, busy, unavailable, rules, first_day, last_day, now)


def overlaps(start: datetime, end: datetime, interval: Interval) -> bool:
    # Instants, not wall clocks: an interval may be shown in a zone whose clocks go back inside it.
    low, high = interval.start.astimezone(UTC), interval.end.astimezone(UTC)
    return start.astimezone(UTC) < high and low < end.astimezone(UTC) and low < high


def containing_rows(slot: Slot, practice: Practice) -> list[WeeklyHours]:
    """The rows whose window on the slot's local date holds the whole slot by the wall clock.

    A half-open slot's last moment is end - 1 µs; that is what must read before the window's end
    (a window may close at the spring-forward jump, where `end` itself reads the later time).
    """
    opens = slot.start.astimezone(practice.zone)
    last = (slot.end - ONE_US).astimezone(practice.zone)
    if last.date() != opens.date():
        return []
    return [
        row
        for row in practice.hours
        if row.weekday == opens.weekday() and row.start <= opens.time() and last.time() < row.end
    ]


@EXAMPLES
@given(practices())
def test_it_never_offers_a_slot_that_meets_busy_or_unavailable_time(practice: Practice) -> None:
    buffer = practice.rules.buffer_after
    for slot in practice.slots():
        assert not any(overlaps(slot.start, slot.end + buffer, b) for b in practice.busy)
        assert not any(overlaps(slot.start, slot.end, u) for u in practice.unavailable)


@EXAMPLES
@given(practices())
def test_it_offers_each_slot_inside_working_hours_of_each_of_its_formats(
    practice: Practice,
) -> None:
    for slot in practice.slots():
        rows = containing_rows(slot, practice)
        assert slot.formats
        assert slot.formats <= {row.format for row in rows}, slot
        assert slot.start.astimezone(practice.zone).date() >= practice.first_day
        assert slot.start.astimezone(practice.zone).date() <= practice.last_day


@EXAMPLES
@given(practices())
def test_it_offers_sorted_unique_utc_slots_between_notice_and_horizon(practice: Practice) -> None:
    found = practice.slots()
    starts = [slot.start for slot in found]
    assert starts == sorted(set(starts))
    for slot in found:
        assert slot.start.tzinfo is UTC
        assert slot.end.tzinfo is UTC
        assert slot.end - slot.start == practice.rules.duration
        assert practice.now + practice.rules.min_notice <= slot.start
        assert slot.start <= practice.now + practice.rules.horizon


@EXAMPLES
@given(practices())
def test_it_only_ever_takes_slots_away_when_time_is_taken(practice: Practice) -> None:
    found = practice.slots()
    free = practice.slots(clear=True)
    assert len(free) >= len(found)
    assert set(found) <= set(free)


@EXAMPLES
@given(practices())
def test_it_agrees_with_a_slot_by_slot_reading_of_the_rules(practice: Practice) -> None:
    assert practice.slots() == reference_slots(practice)


# --- A slow, obvious reading of the same rules -------------------------------------------------


def wall_instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The documented policy (alliance/scheduling/wallclock.py) done the obvious way: the later
    of a repeated wall time's readings; for a skipped one, the moment the clocks jump."""
    naive = datetime.combine(day, wall)
    readings = [
        moment
        for fold in (0, 1)
        if (moment := naive.replace(tzinfo=zone, fold=fold).astimezone(UTC))
        .astimezone(zone)
        .replace(tzinfo=None)
        == naive
    ]
    if readings:
        return max(readings)
    # In a gap, fold=1 reads the wall time with the later offset: an instant before the jump.
    moment = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    while moment.astimezone(zone).replace(tzinfo=None) < naive:
        moment += MINUTE
    return moment


def reference_slots(practice: Practice) -> list[Slot]:
    rules = practice.rules
    offered: dict[datetime, set[str]] = {}
    day = practice.first_day
    while day <= practice.last_day:
        for row in practice.hours:
            if row.weekday != day.weekday():
                continue
            opens = wall_instant(day, row.start, practice.zone)
            span = datetime.combine(day, row.end) - datetime.combine(day, row.start)
            closes = min(opens + span, wall_instant(day, row.end, practice.zone))
            start = opens
            while start + rules.duration <= closes:
                if bookable(start, practice):
                    offered.setdefault(start, set()).add(row.format)
                start += rules.increment
        day += timedelta(days=1)
    return [
        Slot(start, start + rules.duration, frozenset(formats))
        for start, formats in sorted(offered.items())
    ]


def bookable(start: datetime, practice: Practice) -> bool:
    rules = practice.rules
    end = start + rules.duration
    return (
        practice.now + rules.min_notice <= start <= practice.now + rules.horizon
        and not any(overlaps(start, end + rules.buffer_after, b) for b in practice.busy)
        and not any(overlaps(start, end, u) for u in practice.unavailable)
    )


def test_the_reference_reads_new_york_change_days_as_documented() -> None:
    zone = ZoneInfo("America/New_York")

    def utc(day: date, wall: str) -> str:
        return wall_instant(day, time.fromisoformat(wall), zone).strftime("%H:%M")

    assert utc(date(2026, 3, 8), "02:30") == "07:00"  # skipped: the jump (3:00 EDT)
    assert utc(date(2026, 3, 8), "01:30") == "06:30"
    assert utc(date(2026, 11, 1), "01:30") == "06:30"  # repeated: the second pass (EST)
    assert utc(date(2026, 11, 1), "00:30") == "04:30"
