"""Which instruments a session asks for, from an episode's measurement plan.

Plain data in, a list of instrument codes out, so the rule is tested without a database.
"""

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Literal

Frequency = Literal["every_session", "every_other_session", "monthly", "first_session", "off"]

# "Monthly" means: not answered in the last four weeks, so a weekly client answers every fourth
# session and a fortnightly one every other.
MONTH = timedelta(days=28)


def instrument_due(
    frequency: Frequency, *, session_number: int, last_answered: date | None, today: date
) -> bool:
    """Is an instrument on this frequency asked at session `session_number` (1 = intake)?"""
    match frequency:
        case "every_session":
            return True
        case "every_other_session":
            # The intake always asks, so every course has a first score to compare with.
            return session_number % 2 == 1
        case "monthly":
            return last_answered is None or today - last_answered >= MONTH
        case "first_session":
            return session_number == 1
        case "off":
            return False


def instruments_due(
    plan: Sequence[tuple[str, Frequency]],
    *,
    session_number: int,
    last_answered: Mapping[str, date],
    today: date,
) -> list[str]:
    """The plan's instruments asked at this session, in the plan's order."""
    return [
        code
        for code, frequency in plan
        if instrument_due(
            frequency,
            session_number=session_number,
            last_answered=last_answered.get(code),
            today=today,
        )
    ]
