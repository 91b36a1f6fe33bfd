"""Which instruments a session asks for, from the measurement plan."""

from datetime import date, timedelta

import pytest

from alliance.clinical.plan import Frequency, instruments_due

TODAY = date(2026, 11, 26)
PLAN: list[tuple[str, Frequency]] = [
    ("alliance_client", "every_session"),
    ("phq9", "every_other_session"),
    ("gad7", "first_session"),
    ("rses", "monthly"),
    ("oq45", "off"),
]


def test_the_first_session_asks_everything_that_is_on() -> None:
    due = instruments_due(PLAN, session_number=1, last_answered={}, today=TODAY)
    assert due == ["alliance_client", "phq9", "gad7", "rses"]


@pytest.mark.parametrize(("number", "asks_phq9"), [(2, False), (3, True), (4, False), (5, True)])
def test_every_other_session_means_the_odd_ones(number: int, asks_phq9: bool) -> None:
    due = instruments_due(PLAN, session_number=number, last_answered={}, today=TODAY)
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
    )
    assert ("rses" in due) is asked
