from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliance.lib.avatar import PALETTE, contrast_ratio, initials, placeholder_svg
from alliance.lib.durations import duration_short
from alliance.lib.workhours import working_deadline


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Marisol Vega", "MV"), ("Helen", "H"), ("Jordan Reyes, LMHC", "JL"), ("", "?")],
)
def test_initials(name: str, expected: str) -> None:
    assert initials(name) == expected


def test_placeholder_colours_meet_wcag_aa() -> None:
    for background, foreground in PALETTE:
        assert contrast_ratio(background, foreground) >= 4.5


def test_contrast_ratio_extremes() -> None:
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert contrast_ratio("#777777", "#777777") == 1.0


@given(st.text())
def test_placeholder_is_well_formed_for_any_name(name: str) -> None:
    svg = placeholder_svg(name)
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert "<script" not in svg.lower()
    assert svg == placeholder_svg(name)


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (0, "0 min"),
        (59, "59 min"),
        (60, "1 h"),
        (125, "2 h 5 min"),
        (1440, "1 day"),
        (3000, "2 days 2 h"),
    ],
)
def test_duration_short(minutes: int, expected: str) -> None:
    assert duration_short(timedelta(minutes=minutes)) == expected


class TestWorkingDeadline:
    ZONE = ZoneInfo("America/New_York")

    def at(self, text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=self.ZONE)

    def test_it_counts_within_one_working_day(self) -> None:
        deadline = working_deadline(self.at("2026-11-24T10:00"), 4, self.ZONE)
        assert deadline == self.at("2026-11-24T14:00")

    def test_it_carries_over_to_the_next_morning(self) -> None:
        deadline = working_deadline(self.at("2026-11-24T15:30"), 4, self.ZONE)
        assert deadline == self.at("2026-11-25T11:30")

    def test_a_friday_evening_alert_counts_from_monday_morning(self) -> None:
        deadline = working_deadline(self.at("2026-11-27T19:00"), 4, self.ZONE)
        assert deadline == self.at("2026-11-30T13:00")

    def test_the_night_the_clocks_change_adds_no_working_hour(self) -> None:
        # Fri 30 Oct 2026 16:00 EDT; the clocks go back on Sun 1 Nov.
        deadline = working_deadline(self.at("2026-10-30T16:00"), 4, self.ZONE)
        assert deadline == self.at("2026-11-02T12:00")
        assert deadline.astimezone(self.ZONE).utcoffset() == timedelta(hours=-5)

    def test_it_refuses_a_naive_start(self) -> None:
        with pytest.raises(ValueError, match="aware"):
            working_deadline(datetime(2026, 11, 24, 10), 4, self.ZONE)
