"""Which instruments a session asks for, from an episode's measurement plan.

Plain data in, a list of instrument codes out, so the rule is tested without a database.
"""

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Literal

from alliance.clinical.instruments import Instrument

Frequency = Literal[
    "every_session",
    "every_other_session",
    "monthly",
    "second_then_monthly",
    "first_session",
    "off",
]

# "Monthly" means: not answered in the last four weeks, so a weekly client answers every fourth
# session and a fortnightly one every other.
MONTH = timedelta(days=28)

# The product's promise is a check-in of about a minute, and long forms are abandoned: the
# alliance questions every session, the symptom measures monthly, self-esteem monthly from the
# second session. A weekly client answers 24, 18, 8 and 8 questions in turn (PHQ-9 and GAD-7,
# then the Rosenberg scale, then the alliance alone twice), so half the check-ins take under a
# minute; none asks more than MAX_QUESTIONS.
DEFAULT_PLAN: tuple[tuple[str, Frequency], ...] = (
    ("alliance_client", "every_session"),
    ("alliance_therapist", "every_session"),
    ("phq9", "monthly"),
    ("gad7", "monthly"),
    ("rses", "second_then_monthly"),
)
MAX_QUESTIONS = 25
# Only the self-esteem scale waits for room: PHQ-9 and GAD-7 are monthly too, and PHQ-9 asks
# about risk, so it is never put off. A client seen four weeks apart or more answers the symptom
# measures every time, and the Rosenberg scale only at a session that comes sooner.
MAY_WAIT: frozenset[Frequency] = frozenset({"second_then_monthly"})

# A short Likert question takes about 6 seconds on a phone (response-time studies find 5-7 s),
# so the pages say the time from the questions a check-in holds, not from each form's own
# estimate, which is for answering it alone.
SECONDS_PER_QUESTION = 6


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
        case "second_then_monthly":
            # Not at the intake, which asks the symptom measures.
            return session_number >= 2 and (last_answered is None or today - last_answered >= MONTH)
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
    questions: Mapping[str, int],
) -> list[str]:
    """The plan's instruments asked at this session, in the plan's order.

    `questions` is how many questions each instrument asks the client (`client_questions`); one
    it does not name (the therapist's own form) costs the client nothing. A monthly measure that
    would take the check-in past MAX_QUESTIONS waits for a later session with room.
    """
    due = [
        (code, frequency)
        for code, frequency in plan
        if instrument_due(
            frequency,
            session_number=session_number,
            last_answered=last_answered.get(code),
            today=today,
        )
    ]
    asked = sum(questions.get(code, 0) for code, _ in due)
    for code, frequency in reversed(list(due)):
        if asked <= MAX_QUESTIONS:
            break
        if frequency in MAY_WAIT:
            due.remove((code, frequency))
            asked -= questions.get(code, 0)
    return [code for code, _ in due]


def plan_course(
    plan: Sequence[tuple[str, Frequency]], *, days: Sequence[date], questions: Mapping[str, int]
) -> list[list[str]]:
    """What the plan asks at each of a course's sessions (on `days`, the intake first), each
    check-in answered: the demo's history, and the tests' expected courses."""
    last_answered: dict[str, date] = {}
    course = []
    for number, day in enumerate(days, start=1):
        due = instruments_due(
            plan,
            session_number=number,
            last_answered=last_answered,
            today=day,
            questions=questions,
        )
        last_answered |= dict.fromkeys(due, day)
        course.append(due)
    return course


def client_questions(instruments: Mapping[str, Instrument]) -> dict[str, int]:
    """How many questions each instrument a client answers asks: every required item (a
    conditional follow-up, which not everyone is shown or answers, is not counted)."""
    return {
        code: sum(1 for item in found.items if item.required)
        for code, found in instruments.items()
        if found.respondent == "client"
    }


def checkin_duration(questions: int) -> str:
    """How long a check-in of this many questions takes, as the page and the e-mail say it."""
    seconds = questions * SECONDS_PER_QUESTION
    if seconds < 60:
        return "under a minute"
    minutes = math.ceil(seconds / 60)
    return "about a minute" if minutes == 1 else f"about {minutes} minutes"
