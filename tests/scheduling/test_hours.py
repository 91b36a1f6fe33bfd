"""Weekly hours read as a whole, worked by hand: which formats hold a time, and the hours as a
person reads them."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from alliance.scheduling.hours import format_hours, formats_at
from alliance.scheduling.slots import WeeklyHours

NEW_YORK = ZoneInfo("America/New_York")
MONDAY, TUESDAY, THURSDAY, FRIDAY, SATURDAY = 0, 1, 3, 4, 5

MARISOL = [
    *(WeeklyHours(day, time(9), time(12), "in_person") for day in range(MONDAY, THURSDAY + 1)),
    *(WeeklyHours(day, time(12), time(17), "in_person") for day in range(MONDAY, THURSDAY + 1)),
    WeeklyHours(TUESDAY, time(13), time(17), "telehealth"),
    WeeklyHours(FRIDAY, time(9), time(13, 30), "telehealth"),
]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in the week of Monday 8 March 2027, on New York's wall clock."""
    return datetime(2027, 3, 8 + day, hour, minute, tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    ("start", "end", "formats"),
    [
        (at(MONDAY, 9), at(MONDAY, 9, 50), {"in_person"}),
        (at(MONDAY, 11, 30), at(MONDAY, 12, 20), {"in_person"}),  # two rows that touch
        (at(TUESDAY, 13), at(TUESDAY, 13, 50), {"in_person", "telehealth"}),
        (at(FRIDAY, 12, 40), at(FRIDAY, 13, 30), {"telehealth"}),
        (at(FRIDAY, 12, 45), at(FRIDAY, 13, 35), set()),  # ends after the window
        (at(MONDAY, 8, 30), at(MONDAY, 9, 20), set()),  # starts before it
        (at(SATURDAY, 10), at(SATURDAY, 10, 50), set()),
    ],
)
def test_formats_at_names_the_hours_that_hold_the_whole_time(
    start: datetime, end: datetime, formats: set[str]
) -> None:
    assert formats_at(MARISOL, NEW_YORK, start, end) == formats


def test_formats_at_reads_the_wall_clock_of_the_practice() -> None:
    # 14:00 UTC on Monday 8 March 2027 is 9:00 in New York (EST).
    start = datetime(2027, 3, 8, 14, 0, tzinfo=ZoneInfo("UTC"))
    end = datetime(2027, 3, 8, 14, 50, tzinfo=ZoneInfo("UTC"))
    assert formats_at(MARISOL, NEW_YORK, start, end) == {"in_person"}


def test_format_hours_reads_as_a_person_would_say_them() -> None:
    assert format_hours(MARISOL) == "Mon to Thu, 9 AM to 5 PM; Fri, 9 AM to 1:30 PM"


def test_format_hours_joins_days_alike_and_gaps_within_a_day() -> None:
    hours = [
        *(WeeklyHours(day, time(9), time(17), "in_person") for day in range(MONDAY, THURSDAY + 1)),
        WeeklyHours(FRIDAY, time(8), time(12), "in_person"),
        WeeklyHours(FRIDAY, time(13), time(15), "telehealth"),
    ]
    assert format_hours(hours) == "Mon to Thu, 9 AM to 5 PM; Fri, 8 AM to 12 PM and 1 PM to 3 PM"
    assert format_hours([]) == ""
