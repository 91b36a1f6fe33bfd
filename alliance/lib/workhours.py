"""When N working hours after a moment is, in a zone: for escalating unacknowledged alerts.

Working hours are Monday to Friday, 9:00 to 17:00 wall-clock time. Counting in wall-clock time
means a clock change overnight never adds or removes a working hour.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_START = time(9)
DAY_END = time(17)
WORKDAYS = frozenset(range(5))  # Monday is 0


def working_deadline(start: datetime, hours: float, zone: ZoneInfo) -> datetime:
    """The moment `hours` working hours after `start` (aware); returned in UTC."""
    if start.tzinfo is None:
        raise ValueError("start must be aware")
    remaining = timedelta(hours=hours)
    local = start.astimezone(zone).replace(tzinfo=None)  # wall-clock
    while True:
        day_start = datetime.combine(local.date(), DAY_START)
        day_end = datetime.combine(local.date(), DAY_END)
        if local.weekday() not in WORKDAYS or local >= day_end:
            local = datetime.combine(local.date() + timedelta(days=1), DAY_START)
            continue
        local = max(local, day_start)
        if local + remaining <= day_end:
            return (local + remaining).replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))
        remaining -= day_end - local
        local = datetime.combine(local.date() + timedelta(days=1), DAY_START)
