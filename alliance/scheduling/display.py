"""Times as a person reads them. Every time shown to a person carries its zone (architecture.md,
Time), and the words are spelled out here so the output never depends on the server's locale."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS_LONG = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def format_day(day: date, *, long: bool = False, year: bool = False) -> str:
    """A calendar day, e.g. "4 Sep", "4 September" (long) or "4 Sep 2026" (year)."""
    month = (_MONTHS_LONG if long else _MONTHS)[day.month - 1]
    return f"{day.day} {month} {day.year}" if year else f"{day.day} {month}"


def format_local(moment: datetime, zone: ZoneInfo) -> str:
    """`moment` on the wall clock of `zone`, e.g. "Tue 10 Mar, 9:00 AM EDT"."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"cannot place a naive datetime in a zone: {moment.isoformat()}")
    local = moment.astimezone(zone)
    hour = local.hour % 12 or 12
    meridiem = "AM" if local.hour < 12 else "PM"
    return (
        f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]}, "
        f"{hour}:{local.minute:02d} {meridiem} {local.tzname()}"
    )
