"""Times as a person reads them. Every time shown to a person carries its zone (architecture.md,
Time), and the words are spelled out here so the output never depends on the server's locale."""

from datetime import datetime
from zoneinfo import ZoneInfo

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


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
