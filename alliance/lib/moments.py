"""Dates and times that come from outside: the one check every form, address and API field uses.

A practice has nothing to say about the year 1 or 9999, and such a date overflows the moment it
is moved to another zone or has an appointment's length added; an offset of +23:59 is no zone's
and PostgreSQL refuses it. So anything a person or program sends must fall in EARLIEST_YEAR to
LATEST_YEAR, both in its own offset and in UTC, with a UTC offset a real zone could have.
"""

from datetime import UTC, date, datetime, timedelta

EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
# The widest offsets in use: UTC-12:00 (Baker Island) to UTC+14:00 (Line Islands).
WIDEST_OFFSET = timedelta(hours=14)

OUT_OF_RANGE = f"Give a date between the years {EARLIEST_YEAR} and {LATEST_YEAR}."
NO_OFFSET = "Give the time with its UTC offset, e.g. 2030-03-10T10:00:00-05:00."
BAD_OFFSET = "Give a UTC offset in whole minutes between -14:00 and +14:00."


def day_checked[D: date](value: D) -> D:
    """`value` itself, or ValueError saying why no one can mean it."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(OUT_OF_RANGE)
    return value


def moment_checked(value: datetime) -> datetime:
    """An aware `value` itself, or ValueError saying what is wrong with it."""
    offset = value.utcoffset()
    if offset is None:
        raise ValueError(NO_OFFSET)
    if abs(offset) > WIDEST_OFFSET or offset % timedelta(minutes=1):
        raise ValueError(BAD_OFFSET)
    day_checked(value)
    # Naive arithmetic: within the years above it cannot overflow, unlike astimezone().
    day_checked(value.replace(tzinfo=None) - offset)
    return value


def day_parse(text: str) -> date:
    """YYYY-MM-DD from a form or an address, or ValueError with a message for a person."""
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise ValueError("Give a date as YYYY-MM-DD.") from None
    return day_checked(value)


def moment_parse(text: str) -> datetime:
    """An ISO 8601 time with its offset, returned in UTC, or ValueError with a message."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("Give a time as ISO 8601, e.g. 2030-03-10T10:00:00-05:00.") from None
    return moment_checked(value).astimezone(UTC)
