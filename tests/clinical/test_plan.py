"""Which instruments a session asks for, from the measurement plan."""

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliance.clinical.instruments import shipped_instruments
from alliance.clinical.plan import (
    DEFAULT_PLAN,
    Frequency,
    checkin_duration,
    client_questions,
    instruments_due,
    plan_course,
)

TODAY = date(2026, 11, 26)
PLAN: list[tuple[str, Frequency]] = [
    ("alliance_client", "every_session"),
    ("phq9", "every_other_session"),
    ("gad7", "first_session"),
    ("rses", "monthly"),
    ("oq45", "off"),
]
# What each shipped instrument asks a client, counted by hand from the definitions (a
# conditional follow-up, such as "If there was, how well did you talk it through?", not counted).
QUESTIONS = {"alliance_client": 8, "phq9": 9, "gad7": 7, "rses": 10}
ROOMY = {code: 1 for code in QUESTIONS}


def test_the_first_session_asks_everything_that_is_on() -> None:
    due = instruments_due(PLAN, session_number=1, last_answered={}, today=TODAY, questions=ROOMY)
    assert due == ["alliance_client", "phq9", "gad7", "rses"]


@pytest.mark.parametrize(("number", "asks_phq9"), [(2, False), (3, True), (4, False), (5, True)])
def test_every_other_session_means_the_odd_ones(number: int, asks_phq9: bool) -> None:
    due = instruments_due(
        PLAN, session_number=number, last_answered={}, today=TODAY, questions=ROOMY
    )
    assert ("phq9" in due) is asks_phq9
    assert "gad7" not in due
    assert "oq45" not in due


@pytest.mark.parametrize(("days_ago", "asked"), [(27, False), (28, True), (60, True)])
def test_monthly_means_four_weeks_since_last_answered(days_ago: int, asked: bool) -> None:
    due = instruments_due(
        PLAN,
        session_number=6,
        last_answered={"rses": TODAY - timedelta(days=days_ago)},
        today=TODAY,
        questions=ROOMY,
    )
    assert ("rses" in due) is asked


def test_the_shipped_instruments_ask_a_client_these_many_questions() -> None:
    assert client_questions(shipped_instruments()) == QUESTIONS


def _course(gaps: list[int]) -> list[list[str]]:
    """What the default plan asks a client at each session, sessions `gaps` days apart."""
    days = [date(2026, 1, 5)]
    for gap in gaps:
        days.append(days[-1] + timedelta(days=gap))
    course = plan_course(DEFAULT_PLAN, days=days, questions=QUESTIONS)
    return [[code for code in due if code in QUESTIONS] for due in course]


def test_a_weekly_client_answers_symptoms_and_self_esteem_monthly() -> None:
    assert _course([7] * 9) == [
        ["alliance_client", "phq9", "gad7"],
        ["alliance_client", "rses"],
        ["alliance_client"],
        ["alliance_client"],
        ["alliance_client", "phq9", "gad7"],  # four weeks after the intake
        ["alliance_client", "rses"],  # four weeks after the second session
        ["alliance_client"],
        ["alliance_client"],
        ["alliance_client", "phq9", "gad7"],
        ["alliance_client", "rses"],
    ]


def test_a_weekly_client_answers_24_18_8_and_8_questions_in_turn() -> None:
    course = _course([7] * 7)
    assert [sum(QUESTIONS[code] for code in asked) for asked in course] == [
        24, 18, 8, 8, 24, 18, 8, 8,
    ]  # fmt: skip
    assert [checkin_duration(sum(QUESTIONS[code] for code in asked)) for asked in course] == [
        "about 3 minutes", "about 2 minutes", "under a minute", "under a minute",
        "about 3 minutes", "about 2 minutes", "under a minute", "under a minute",
    ]  # fmt: skip


def test_a_fortnightly_client_answers_self_esteem_at_every_even_session() -> None:
    assert _course([14] * 5) == [
        ["alliance_client", "phq9", "gad7"],
        ["alliance_client", "rses"],
        ["alliance_client", "phq9", "gad7"],
        ["alliance_client", "rses"],
        ["alliance_client", "phq9", "gad7"],
        ["alliance_client", "rses"],
    ]


def test_self_esteem_waits_rather_than_join_both_symptom_measures() -> None:
    # A month between sessions: the symptom measures are due at every one, and PHQ-9 (with its
    # risk question) never waits, so the Rosenberg scale waits for a session that comes sooner.
    assert _course([30, 30, 7, 30]) == [
        ["alliance_client", "phq9", "gad7"],
        ["alliance_client", "phq9", "gad7"],
        ["alliance_client", "phq9", "gad7"],
        ["alliance_client", "rses"],  # a week later
        ["alliance_client", "phq9", "gad7"],  # self-esteem is due again, and waits
    ]


def test_the_therapist_form_costs_the_client_nothing() -> None:
    due = instruments_due(
        DEFAULT_PLAN, session_number=1, last_answered={}, today=TODAY, questions=QUESTIONS
    )
    assert due == ["alliance_client", "alliance_therapist", "phq9", "gad7"]


CADENCES = st.one_of(
    st.lists(st.just(7), min_size=59, max_size=59),
    st.lists(st.just(14), min_size=59, max_size=59),
    st.lists(st.integers(min_value=1, max_value=90), min_size=59, max_size=59),
)


@given(CADENCES)
def test_no_default_check_in_asks_more_than_25_questions(gaps: list[int]) -> None:
    for asked in _course(gaps):
        assert sum(QUESTIONS[code] for code in asked) <= 25
        assert not {"phq9", "gad7", "rses"} <= set(asked)


@given(CADENCES)
def test_phq9_never_waits(gaps: list[int]) -> None:
    # Asked at the intake and at every session four weeks or more after it was last asked.
    course, days = _course(gaps), _days(gaps)
    last = days[0]
    assert "phq9" in course[0]
    for day, asked in zip(days[1:], course[1:], strict=True):
        assert ("phq9" in asked) is (day - last >= timedelta(days=28))
        if "phq9" in asked:
            last = day


# Sessions less than four weeks apart, so that the symptom measures leave room for self-esteem.
SOONER = st.one_of(
    st.lists(st.just(7), min_size=59, max_size=59),
    st.lists(st.just(14), min_size=59, max_size=59),
    st.lists(st.integers(min_value=1, max_value=27), min_size=59, max_size=59),
)


@given(SOONER)
def test_self_esteem_waits_at_most_one_session(gaps: list[int]) -> None:
    course, days = _course(gaps), _days(gaps)
    asked_rses = [number for number, asked in enumerate(course, start=1) if "rses" in asked]
    assert asked_rses[0] == 2
    for earlier, later in itertools.pairwise(asked_rses):
        # It becomes due at the first session four weeks on, and is asked there or next time.
        first_due = next(
            n
            for n in range(earlier + 1, 61)
            if days[n - 1] - days[earlier - 1] >= timedelta(days=28)
        )
        assert later in (first_due, first_due + 1)


@given(st.integers(min_value=8, max_value=60))
def test_half_of_a_weekly_clients_check_ins_take_under_a_minute(sessions: int) -> None:
    # In every four weeks, two check-ins ask the alliance questions alone: eight, under a minute.
    # (A course that stops a session or two into a month has one or two more long ones.)
    short = [asked == ["alliance_client"] for asked in _course([7] * (sessions - 1))]
    assert checkin_duration(QUESTIONS["alliance_client"]) == "under a minute"
    for start in range(sessions - 3):
        assert sum(short[start : start + 4]) == 2
    assert 2 * sum(short) >= 4 * (sessions // 4)


def _days(gaps: list[int]) -> list[date]:
    day, days = date(2026, 1, 5), []
    for gap in [0, *gaps]:
        day += timedelta(days=gap)
        days.append(day)
    return days


@pytest.mark.parametrize(
    ("questions", "said"),
    [
        (8, "under a minute"),
        (9, "under a minute"),
        (10, "about a minute"),
        (18, "about 2 minutes"),
        (24, "about 3 minutes"),
        (36, "about 4 minutes"),
    ],
)
def test_the_time_a_check_in_takes_is_said_from_its_questions(questions: int, said: str) -> None:
    assert checkin_duration(questions) == said
