"""Free slots from weekly hours, worked by hand. Times are given as a person reads them (local
wall clock) and checked as the instants a booking would store (UTC)."""

import ast
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from alliance.scheduling import (
    Interval,
    Slot,
    SlotRules,
    WeeklyHours,
    format_day,
    format_local,
    free_slots,
)

NEW_YORK = ZoneInfo("America/New_York")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
LONDON = ZoneInfo("Europe/London")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
MINUTE = timedelta(minutes=1)
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)
MONDAY, TUESDAY, SATURDAY, SUNDAY = 0, 1, 5, 6
TUESDAY_10_MARCH = date(2026, 3, 10)  # New York is on EDT (UTC-4), London still on GMT


def consultation(**changes: timedelta) -> SlotRules:
    """A 15-minute consultation every 15 minutes, bookable any time (unless changed)."""
    rules = {
        "duration": 15 * MINUTE,
        "buffer_after": timedelta(0),
        "min_notice": timedelta(0),
        "horizon": timedelta(days=3650),
        "increment": 15 * MINUTE,
    }
    rules.update(changes)
    return SlotRules(**rules)


def hours(weekday: int, start: str, end: str, fmt: str = "in_person") -> WeeklyHours:
    return WeeklyHours(weekday, time.fromisoformat(start), time.fromisoformat(end), fmt)


def at(day: date, wall: str, zone: ZoneInfo = NEW_YORK, fold: int = 0) -> datetime:
    return datetime.combine(day, time.fromisoformat(wall), zone).replace(fold=fold)


def slots(
    weekly: Sequence[WeeklyHours],
    first_day: date,
    last_day: date | None = None,
    *,
    zone: ZoneInfo = NEW_YORK,
    busy: Sequence[Interval] = (),
    unavailable: Sequence[Interval] = (),
    rules: SlotRules | None = None,
    now: datetime = LONG_AGO,
) -> list[Slot]:
    return free_slots(
        hours=weekly,
        zone=zone,
        busy=busy,
        unavailable=unavailable,
        rules=rules or consultation(),
        first_day=first_day,
        last_day=last_day or first_day,
        now=now,
    )


def local_starts(found: Sequence[Slot], zone: ZoneInfo = NEW_YORK) -> list[str]:
    return [slot.start.astimezone(zone).strftime("%H:%M %Z") for slot in found]


def utc_starts(found: Sequence[Slot]) -> list[str]:
    return [slot.start.strftime("%m-%d %H:%M") for slot in found]


# --- An ordinary day ---------------------------------------------------------------------------


def test_it_offers_a_slot_every_increment_of_a_plain_window() -> None:
    found = slots([hours(TUESDAY, "09:00", "10:00")], TUESDAY_10_MARCH)

    nine = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)  # 9:00 EDT
    assert found == [
        Slot(nine + minutes * MINUTE, nine + (minutes + 15) * MINUTE, frozenset({"in_person"}))
        for minutes in (0, 15, 30, 45)
    ]
    assert all(slot.start.tzinfo is UTC and slot.end.tzinfo is UTC for slot in found)


def test_it_keeps_the_whole_appointment_inside_the_window() -> None:
    rules = consultation(duration=50 * MINUTE, increment=30 * MINUTE)

    found = slots([hours(TUESDAY, "09:00", "11:00")], TUESDAY_10_MARCH, rules=rules)

    assert local_starts(found) == ["09:00 EDT", "09:30 EDT", "10:00 EDT"]  # 10:30 would end 11:20
    assert [slot.end - slot.start for slot in found] == [50 * MINUTE] * 3


def test_it_lets_the_buffer_run_past_the_end_of_the_window() -> None:
    rules = consultation(duration=50 * MINUTE, buffer_after=10 * MINUTE, increment=30 * MINUTE)

    found = slots([hours(TUESDAY, "09:00", "09:50")], TUESDAY_10_MARCH, rules=rules)

    assert local_starts(found) == ["09:00 EDT"]


def test_it_steps_from_the_start_of_the_window_not_from_the_hour() -> None:
    rules = consultation(duration=30 * MINUTE, increment=30 * MINUTE)

    found = slots([hours(TUESDAY, "09:10", "10:45")], TUESDAY_10_MARCH, rules=rules)

    assert local_starts(found) == ["09:10 EDT", "09:40 EDT", "10:10 EDT"]


def test_it_offers_nothing_in_a_window_shorter_than_the_appointment() -> None:
    rules = consultation(duration=60 * MINUTE)

    assert slots([hours(TUESDAY, "09:00", "09:45")], TUESDAY_10_MARCH, rules=rules) == []


def test_it_uses_only_the_days_asked_for_and_each_day_s_own_weekday() -> None:
    weekly = [hours(MONDAY, "09:00", "09:30"), hours(TUESDAY, "14:00", "14:15")]

    found = slots(weekly, date(2026, 3, 9), date(2026, 3, 17))  # Monday to the next Tuesday

    assert utc_starts(found) == [
        "03-09 13:00",
        "03-09 13:15",
        "03-10 18:00",
        "03-16 13:00",
        "03-16 13:15",
        "03-17 18:00",
    ]


def test_it_reads_weekdays_on_the_therapist_s_own_calendar() -> None:
    honolulu = ZoneInfo("Pacific/Honolulu")  # UTC-10: a Sunday evening there is Monday in UTC

    found = slots([hours(SUNDAY, "20:00", "20:30")], date(2026, 3, 8), zone=honolulu)

    assert utc_starts(found) == ["03-09 06:00", "03-09 06:15"]


# --- Notice and horizon ------------------------------------------------------------------------


def test_it_offers_nothing_sooner_than_the_minimum_notice() -> None:
    rules = consultation(min_notice=timedelta(hours=24))
    now = at(date(2026, 3, 9), "09:20")

    found = slots([hours(TUESDAY, "09:00", "10:00")], TUESDAY_10_MARCH, rules=rules, now=now)

    assert local_starts(found) == ["09:30 EDT", "09:45 EDT"]


def test_it_offers_a_start_exactly_at_the_minimum_notice() -> None:
    rules = consultation(min_notice=timedelta(hours=24))
    now = at(date(2026, 3, 9), "09:15")

    found = slots([hours(TUESDAY, "09:00", "10:00")], TUESDAY_10_MARCH, rules=rules, now=now)

    assert local_starts(found) == ["09:15 EDT", "09:30 EDT", "09:45 EDT"]


def test_it_offers_nothing_beyond_the_horizon_but_the_last_start_on_it() -> None:
    rules = consultation(horizon=timedelta(days=1, minutes=30))
    now = at(date(2026, 3, 9), "09:00")

    found = slots([hours(TUESDAY, "09:00", "10:00")], TUESDAY_10_MARCH, rules=rules, now=now)

    assert local_starts(found) == ["09:00 EDT", "09:15 EDT", "09:30 EDT"]


# --- Busy and unavailable ----------------------------------------------------------------------


def test_it_keeps_the_appointment_and_its_buffer_clear_of_busy_time() -> None:
    rules = consultation(buffer_after=5 * MINUTE)
    # A 50-minute session at 10:00 with its own 10-minute buffer.
    busy = [Interval(at(TUESDAY_10_MARCH, "10:00"), at(TUESDAY_10_MARCH, "11:00"))]

    found = slots([hours(TUESDAY, "09:00", "11:30")], TUESDAY_10_MARCH, busy=busy, rules=rules)

    # 9:45 would run to 10:00 and keep its buffer to 10:05; 11:00 starts as the session's ends.
    assert local_starts(found) == ["09:00 EDT", "09:15 EDT", "09:30 EDT", "11:00 EDT", "11:15 EDT"]


def test_it_lets_a_slot_touch_busy_time_when_there_is_no_buffer() -> None:
    busy = [Interval(at(TUESDAY_10_MARCH, "09:30"), at(TUESDAY_10_MARCH, "09:45"))]

    found = slots([hours(TUESDAY, "09:00", "10:00")], TUESDAY_10_MARCH, busy=busy)

    assert local_starts(found) == ["09:00 EDT", "09:15 EDT", "09:45 EDT"]


def test_it_blocks_a_start_when_busy_time_only_nicks_it() -> None:
    busy = [Interval(at(TUESDAY_10_MARCH, "09:29"), at(TUESDAY_10_MARCH, "09:31"))]

    found = slots([hours(TUESDAY, "09:00", "10:00")], TUESDAY_10_MARCH, busy=busy)

    assert local_starts(found) == ["09:00 EDT", "09:45 EDT"]


def test_it_compares_busy_times_in_any_zone_as_instants() -> None:
    # 14:00-14:30 in London on 10 March is 10:00-10:30 in New York (the US changed first).
    busy = [Interval(at(TUESDAY_10_MARCH, "14:00", LONDON), at(TUESDAY_10_MARCH, "14:30", LONDON))]

    found = slots([hours(TUESDAY, "09:30", "11:00")], TUESDAY_10_MARCH, busy=busy)

    assert local_starts(found) == ["09:30 EDT", "09:45 EDT", "10:30 EDT", "10:45 EDT"]


def test_it_needs_only_the_appointment_itself_to_miss_time_off() -> None:
    rules = consultation(buffer_after=10 * MINUTE)
    off = [Interval(at(TUESDAY_10_MARCH, "10:00"), at(TUESDAY_10_MARCH, "11:00"))]

    found = slots(
        [hours(TUESDAY, "09:30", "11:30")], TUESDAY_10_MARCH, unavailable=off, rules=rules
    )

    # The buffer after 9:45 may run into time off: nobody is booked then.
    assert local_starts(found) == ["09:30 EDT", "09:45 EDT", "11:00 EDT", "11:15 EDT"]


def test_it_offers_nothing_during_a_closure_spanning_days() -> None:
    closure = [Interval(at(date(2026, 3, 9), "12:00"), at(date(2026, 3, 11), "09:15"))]
    weekly = [hours(weekday, "09:00", "09:30") for weekday in range(7)]

    found = slots(weekly, date(2026, 3, 9), date(2026, 3, 11), unavailable=closure)

    assert utc_starts(found) == ["03-09 13:00", "03-09 13:15", "03-11 13:15"]


def test_it_ignores_empty_intervals() -> None:
    moment = at(TUESDAY_10_MARCH, "09:15")

    found = slots(
        [hours(TUESDAY, "09:00", "09:30")],
        TUESDAY_10_MARCH,
        busy=[Interval(moment, moment)],
        unavailable=[Interval(moment, moment)],
    )

    assert len(found) == 2


def test_it_takes_an_interval_across_the_clocks_going_back_as_instants() -> None:
    # 1:55 EDT, then 1:05 EST ten minutes later: earlier by the wall clock, later in time.
    fall_back = date(2026, 11, 1)
    busy = Interval(at(fall_back, "01:55"), at(fall_back, "01:05", fold=1))

    found = slots([hours(SUNDAY, "01:00", "02:00")], fall_back, busy=[busy])

    assert busy.end.astimezone(UTC) - busy.start.astimezone(UTC) == timedelta(minutes=10)
    # The window opens at 1:00 EST (06:00 UTC), inside the busy ten minutes.
    assert utc_starts(found) == ["11-01 06:15", "11-01 06:30", "11-01 06:45"]


def test_it_refuses_an_interval_that_ends_before_it_starts_in_time() -> None:
    fall_back = date(2026, 11, 1)
    with pytest.raises(ValueError, match="must not end before it starts"):
        Interval(at(fall_back, "01:00", fold=1), at(fall_back, "01:55"))


# --- Formats -----------------------------------------------------------------------------------


def test_it_merges_the_formats_of_rows_offering_the_same_start() -> None:
    weekly = [
        hours(TUESDAY, "09:00", "10:00", "in_person"),
        hours(TUESDAY, "09:30", "10:30", "telehealth"),
    ]

    found = slots(weekly, TUESDAY_10_MARCH)

    shown = zip(local_starts(found), found, strict=True)
    assert [(start, sorted(slot.formats)) for start, slot in shown] == [
        ("09:00 EDT", ["in_person"]),
        ("09:15 EDT", ["in_person"]),
        ("09:30 EDT", ["in_person", "telehealth"]),
        ("09:45 EDT", ["in_person", "telehealth"]),
        ("10:00 EDT", ["telehealth"]),
        ("10:15 EDT", ["telehealth"]),
    ]


def test_it_does_not_repeat_a_start_offered_by_overlapping_rows_of_one_format() -> None:
    weekly = [hours(TUESDAY, "09:00", "10:00"), hours(TUESDAY, "09:30", "10:30")]

    found = slots(weekly, TUESDAY_10_MARCH)

    assert local_starts(found) == [
        "09:00 EDT",
        "09:15 EDT",
        "09:30 EDT",
        "09:45 EDT",
        "10:00 EDT",
        "10:15 EDT",
    ]
    assert {slot.formats for slot in found} == {frozenset({"in_person"})}


def test_it_keeps_each_row_s_own_grid_when_rows_overlap() -> None:
    rules = consultation(duration=30 * MINUTE, increment=30 * MINUTE)
    weekly = [hours(TUESDAY, "09:00", "10:00", "in_person"), hours(TUESDAY, "09:15", "10:15")]

    found = slots(weekly, TUESDAY_10_MARCH, rules=rules)

    assert local_starts(found) == ["09:00 EDT", "09:15 EDT", "09:30 EDT", "09:45 EDT"]


# --- Daylight saving in New York ---------------------------------------------------------------

EVERY_DAY_NIGHT_AND_MORNING = [
    hours(weekday, start, end, fmt)
    for weekday in range(7)
    for start, end, fmt in (("01:00", "04:00", "telehealth"), ("09:00", "12:00", "in_person"))
]


def mornings(found: Sequence[Slot], day: date) -> list[str]:
    """UTC starts of the 9:00-12:00 window on `day`, first and last."""
    starts = [
        slot.start
        for slot in found
        if "in_person" in slot.formats and slot.start.astimezone(NEW_YORK).date() == day
    ]
    return [starts[0].strftime("%H:%M"), starts[-1].strftime("%H:%M"), str(len(starts))]


def nights(found: Sequence[Slot], day: date) -> list[Slot]:
    return [
        slot
        for slot in found
        if "telehealth" in slot.formats and slot.start.astimezone(NEW_YORK).date() == day
    ]


def test_it_keeps_working_hours_on_the_wall_clock_when_clocks_spring_forward() -> None:
    found = slots(EVERY_DAY_NIGHT_AND_MORNING, date(2026, 3, 7), date(2026, 3, 9))

    assert mornings(found, date(2026, 3, 7)) == ["14:00", "16:45", "12"]  # 9:00 EST
    assert mornings(found, date(2026, 3, 8)) == ["13:00", "15:45", "12"]  # 9:00 EDT
    assert mornings(found, date(2026, 3, 9)) == ["13:00", "15:45", "12"]


def test_it_offers_no_slot_in_the_skipped_hour() -> None:
    found = slots(EVERY_DAY_NIGHT_AND_MORNING, date(2026, 3, 7), date(2026, 3, 9))

    night = nights(found, date(2026, 3, 8))
    # 1:00-4:00 on the wall clock is two real hours that night: 1:00-2:00 EST, 3:00-4:00 EDT.
    assert local_starts(night) == [
        "01:00 EST",
        "01:15 EST",
        "01:30 EST",
        "01:45 EST",
        "03:00 EDT",
        "03:15 EDT",
        "03:30 EDT",
        "03:45 EDT",
    ]
    assert utc_starts(night) == [
        f"03-08 {hour:02d}:{m:02d}" for hour in (6, 7) for m in range(0, 60, 15)
    ]
    assert len(nights(found, date(2026, 3, 7))) == 12
    assert len(nights(found, date(2026, 3, 9))) == 12


def test_it_opens_a_window_that_starts_in_the_skipped_hour_when_the_clocks_jump() -> None:
    found = slots([hours(SUNDAY, "02:30", "04:00")], date(2026, 3, 8))

    assert local_starts(found) == ["03:00 EDT", "03:15 EDT", "03:30 EDT", "03:45 EDT"]


def test_it_closes_a_window_that_ends_in_the_skipped_hour_when_the_clocks_jump() -> None:
    found = slots([hours(SUNDAY, "01:00", "02:30")], date(2026, 3, 8))

    assert local_starts(found) == ["01:00 EST", "01:15 EST", "01:30 EST", "01:45 EST"]
    assert found[-1].end == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # the jump itself


def test_it_steps_in_real_time_across_the_skipped_hour() -> None:
    rules = consultation(increment=45 * MINUTE)

    found = slots([hours(SUNDAY, "01:00", "04:00")], date(2026, 3, 8), rules=rules)

    # 1:45 EST + 45 minutes is 2:30 EST, which the clocks call 3:30 EDT.
    assert local_starts(found) == ["01:00 EST", "01:45 EST", "03:30 EDT"]


def test_it_offers_nothing_for_a_window_wholly_inside_the_skipped_hour() -> None:
    assert slots([hours(SUNDAY, "02:00", "02:45")], date(2026, 3, 8)) == []


def test_it_keeps_working_hours_on_the_wall_clock_when_clocks_fall_back() -> None:
    found = slots(EVERY_DAY_NIGHT_AND_MORNING, date(2026, 10, 31), date(2026, 11, 2))

    assert mornings(found, date(2026, 10, 31)) == ["13:00", "15:45", "12"]  # 9:00 EDT
    assert mornings(found, date(2026, 11, 1)) == ["14:00", "16:45", "12"]  # 9:00 EST
    assert mornings(found, date(2026, 11, 2)) == ["14:00", "16:45", "12"]


def test_it_offers_the_repeated_hour_once_and_keeps_the_window_its_stated_length() -> None:
    found = slots(EVERY_DAY_NIGHT_AND_MORNING, date(2026, 10, 31), date(2026, 11, 2))

    night = nights(found, date(2026, 11, 1))
    # 1:00 happens twice; the window opens at the second, so it lasts 3 hours and ends at 4:00.
    assert [slot.start for slot in night] == [
        datetime(2026, 11, 1, 6, 0, tzinfo=UTC) + index * 15 * MINUTE for index in range(12)
    ]
    assert local_starts(night)[:5] == [
        "01:00 EST",
        "01:15 EST",
        "01:30 EST",
        "01:45 EST",
        "02:00 EST",
    ]
    assert night[-1].end.astimezone(NEW_YORK).strftime("%H:%M %Z") == "04:00 EST"
    night_before = nights(found, date(2026, 10, 31))
    assert night_before[0].start == datetime(2026, 10, 31, 5, 0, tzinfo=UTC)  # 1:00 EDT


def test_it_walks_through_both_passes_of_the_repeated_hour_when_the_window_contains_it() -> None:
    found = slots([hours(SUNDAY, "00:00", "03:00")], date(2026, 11, 1))

    # Every 15 minutes of real time from midnight, for three real hours: each instant once, both
    # 1:00 EDT and 1:00 EST, and the window ends at 2:00 by the clock rather than run four hours.
    assert [slot.start for slot in found] == [
        datetime(2026, 11, 1, 4, 0, tzinfo=UTC) + index * 15 * MINUTE for index in range(12)
    ]
    assert local_starts(found)[4:9] == [
        "01:00 EDT",
        "01:15 EDT",
        "01:30 EDT",
        "01:45 EDT",
        "01:00 EST",
    ]
    assert found[-1].end == at(date(2026, 11, 1), "02:00")


def test_it_reads_a_window_inside_the_repeated_hour_on_its_second_pass() -> None:
    found = slots([hours(SUNDAY, "01:00", "01:30")], date(2026, 11, 1))

    assert local_starts(found) == ["01:00 EST", "01:15 EST"]


def test_it_handles_the_2027_spring_change_like_the_2026_one() -> None:
    found = slots(EVERY_DAY_NIGHT_AND_MORNING, date(2027, 3, 13), date(2027, 3, 15))

    assert mornings(found, date(2027, 3, 13)) == ["14:00", "16:45", "12"]
    assert mornings(found, date(2027, 3, 14)) == ["13:00", "15:45", "12"]
    assert mornings(found, date(2027, 3, 15)) == ["13:00", "15:45", "12"]
    assert utc_starts(nights(found, date(2027, 3, 14))) == [
        f"03-14 {hour:02d}:{m:02d}" for hour in (6, 7) for m in range(0, 60, 15)
    ]


def test_it_moves_a_weekly_window_by_an_hour_in_utc_across_the_change() -> None:
    found = slots([hours(MONDAY, "09:00", "09:15")], date(2026, 2, 23), date(2026, 3, 16))

    assert utc_starts(found) == ["02-23 14:00", "03-02 14:00", "03-09 13:00", "03-16 13:00"]


def test_it_handles_a_half_hour_change_on_lord_howe_island() -> None:
    # Lord Howe moves from +10:30 to +11 at 2:00 on the first Sunday of October.
    found = slots([hours(SUNDAY, "01:00", "03:00")], date(2026, 10, 4), zone=LORD_HOWE)

    assert local_starts(found, LORD_HOWE) == [
        "01:00 +1030",
        "01:15 +1030",
        "01:30 +1030",
        "01:45 +1030",
        "02:30 +11",
        "02:45 +11",
    ]


# --- Clients elsewhere and what people read ----------------------------------------------------


def test_it_gives_a_client_in_another_zone_the_same_instants_in_their_own_clock() -> None:
    found = slots([hours(MONDAY, "09:00", "09:30")], date(2026, 2, 23))

    assert [slot.start for slot in found] == [
        datetime(2026, 2, 23, 14, 0, tzinfo=UTC),
        datetime(2026, 2, 23, 14, 15, tzinfo=UTC),
    ]
    assert [format_local(slot.start, LOS_ANGELES) for slot in found] == [
        "Mon 23 Feb, 6:00 AM PST",
        "Mon 23 Feb, 6:15 AM PST",
    ]
    assert format_local(found[0].start, LONDON) == "Mon 23 Feb, 2:00 PM GMT"
    assert format_local(found[0].start, NEW_YORK) == "Mon 23 Feb, 9:00 AM EST"


def test_it_shows_a_london_client_the_weeks_when_only_america_has_changed() -> None:
    found = slots([hours(TUESDAY, "09:00", "09:15")], TUESDAY_10_MARCH)

    assert format_local(found[0].start, LONDON) == "Tue 10 Mar, 1:00 PM GMT"
    assert format_local(found[0].start, LOS_ANGELES) == "Tue 10 Mar, 6:00 AM PDT"


@pytest.mark.parametrize(
    ("moment", "zone", "shown"),
    [
        (datetime(2026, 3, 10, 13, 0, tzinfo=UTC), NEW_YORK, "Tue 10 Mar, 9:00 AM EDT"),
        (datetime(2026, 3, 8, 6, 30, tzinfo=UTC), NEW_YORK, "Sun 8 Mar, 1:30 AM EST"),
        (datetime(2026, 3, 8, 7, 0, tzinfo=UTC), NEW_YORK, "Sun 8 Mar, 3:00 AM EDT"),
        (datetime(2026, 11, 1, 5, 30, tzinfo=UTC), NEW_YORK, "Sun 1 Nov, 1:30 AM EDT"),
        (datetime(2026, 11, 1, 6, 30, tzinfo=UTC), NEW_YORK, "Sun 1 Nov, 1:30 AM EST"),
        (datetime(2026, 12, 24, 17, 5, tzinfo=UTC), NEW_YORK, "Thu 24 Dec, 12:05 PM EST"),
        (datetime(2026, 1, 1, 5, 0, tzinfo=UTC), NEW_YORK, "Thu 1 Jan, 12:00 AM EST"),
        (datetime(2026, 7, 4, 23, 59, tzinfo=UTC), LOS_ANGELES, "Sat 4 Jul, 4:59 PM PDT"),
        (datetime(2026, 6, 1, 8, 0, tzinfo=UTC), LONDON, "Mon 1 Jun, 9:00 AM BST"),
        (at(date(2026, 10, 4), "02:30", LORD_HOWE), LORD_HOWE, "Sun 4 Oct, 2:30 AM +11"),
    ],
)
def test_it_formats_a_moment_as_a_person_reads_it(
    moment: datetime, zone: ZoneInfo, shown: str
) -> None:
    assert format_local(moment, zone) == shown


def test_it_writes_a_day_the_same_whatever_the_servers_locale() -> None:
    assert format_day(date(2026, 9, 4)) == "4 Sep"
    assert format_day(date(2026, 9, 4), long=True) == "4 September"
    assert format_day(date(2026, 12, 25), year=True) == "25 Dec 2026"


def test_it_refuses_to_format_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_local(datetime(2026, 3, 10, 9, 0), NEW_YORK)


# --- Validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: hours(MONDAY, "10:00", "10:00"), "must end after they start"),
        (lambda: hours(MONDAY, "17:00", "09:00"), "must end after they start"),
        (lambda: hours(7, "09:00", "10:00"), "weekday must be 0"),
        (lambda: hours(-1, "09:00", "10:00"), "weekday must be 0"),
        (
            lambda: WeeklyHours(MONDAY, time(9, tzinfo=UTC), time(10, tzinfo=UTC), "telehealth"),
            "without a zone",
        ),
        (lambda: consultation(duration=timedelta(0)), "duration must be positive"),
        (lambda: consultation(increment=-MINUTE), "increment must be positive"),
        (lambda: consultation(buffer_after=-MINUTE), "buffer_after must not be negative"),
        (lambda: consultation(min_notice=-MINUTE), "min_notice must not be negative"),
        (lambda: consultation(horizon=-MINUTE), "horizon must not be negative"),
        (lambda: Interval(datetime(2026, 3, 10, 9), LONG_AGO), "start must be an aware"),
        (lambda: Interval(LONG_AGO, datetime(2026, 3, 10, 9)), "end must be an aware"),
        (lambda: Interval(LONG_AGO, LONG_AGO - MINUTE), "must not end before it starts"),
    ],
)
def test_it_refuses_malformed_inputs(make: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_it_refuses_a_range_that_ends_before_it_starts() -> None:
    with pytest.raises(ValueError, match="before first_day"):
        slots([], date(2026, 3, 10), date(2026, 3, 9))


def test_it_refuses_a_naive_now() -> None:
    with pytest.raises(ValueError, match="now must be an aware datetime"):
        slots([], date(2026, 3, 10), now=datetime(2026, 3, 9, 12, 0))


def test_it_accepts_a_zero_notice_and_horizon() -> None:
    rules = consultation(min_notice=timedelta(0), horizon=timedelta(0))
    now = at(TUESDAY_10_MARCH, "09:15")

    found = slots([hours(TUESDAY, "09:00", "10:00")], TUESDAY_10_MARCH, rules=rules, now=now)

    assert local_starts(found) == ["09:15 EDT"]


# --- Purity ------------------------------------------------------------------------------------


def test_it_imports_nothing_from_django_or_the_rest_of_alliance() -> None:
    package = Path(__file__).resolve().parents[2] / "alliance" / "scheduling"
    imported: set[str] = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)

    assert {
        name
        for name in imported
        if name.split(".")[0] == "django"
        or (name.startswith("alliance") and not name.startswith("alliance.scheduling"))
    } == set()
