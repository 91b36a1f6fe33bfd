"""Risk, reliable deterioration and not on track, on hand-made symptom series.

The default curve expects intake x (1 - 0.4 ln(t) / ln(10)) at the t-th session of the course;
the PHQ-9 bound is that plus 1.2816 x 5. For an intake of 15: expected 9.00 and bound 15.41 at
session 10, expected 8.52 and bound 14.93 at session 12.
"""

import math

import pytest

from alliance.clinical.signals import PracticeNorms, Signal, SignalSettings, default_norms
from alliance.clinical.signals.expected import ExpectedCurve, default_curve
from alliance.clinical.signals.symptoms import (
    detect_no_improvement,
    detect_not_on_track,
    detect_reliable_deterioration,
    detect_risk,
)

from .builders import context, make_series

Z90 = 1.2815515655446004


def sessions(signals: list[Signal]) -> list[int]:
    return [signal.session for signal in signals]


def test_any_answer_above_not_at_all_on_item_9_is_a_risk() -> None:
    series = make_series(item9=[0, 1, 0, 3, None], phq9=[12, 14, 11, 20, None])
    signals = detect_risk(series, context())
    assert sessions(signals) == [2, 4]
    assert signals[0].rule == "phq9_item9"
    assert signals[1].evidence == {"phq9_item9": 3, "phq9": 20}
    assert signals[0].parameters == {"item9_at_least": 1}


def test_no_item_9_answer_is_no_risk() -> None:
    assert detect_risk(make_series(item9=[None, 0, 0]), context()) == []


def test_a_rise_of_6_on_phq9_since_intake_is_a_reliable_deterioration() -> None:
    signals = detect_reliable_deterioration(make_series(phq9=[10, 12, 15, 16, 17]), context())
    assert sessions(signals) == [4]  # the first session where it holds, once
    assert signals[0].rule == "reliable_change"
    assert signals[0].evidence == {
        "measure": "phq9",
        "intake": 10,
        "intake_session": 1,
        "observed": 16,
        "observed_session": 4,
        "change": 6,
        "back_at_session": None,
        "back_to": None,
    }
    assert "NHS Talking Therapies" in signals[0].source


def test_a_reliable_deterioration_says_when_the_score_came_back_down() -> None:
    # Up 7 at session 3, then back under intake + 6 = 16 from session 5 on.
    signals = detect_reliable_deterioration(make_series(phq9=[10, 12, 17, 16, 12, 11]), context())
    assert sessions(signals) == [3]
    assert signals[0].evidence["back_at_session"] == 5
    assert signals[0].evidence["back_to"] == 11


def test_a_score_that_rose_again_is_not_back() -> None:
    signals = detect_reliable_deterioration(make_series(phq9=[10, 17, 12, 16]), context())
    assert signals[0].evidence["back_at_session"] is None


def test_a_rise_of_5_on_phq9_is_not_reliable() -> None:
    assert detect_reliable_deterioration(make_series(phq9=[10, 15, 14, 15]), context()) == []


def test_a_rise_of_4_on_gad7_is_reliable() -> None:
    signals = detect_reliable_deterioration(make_series(gad7=[8, 11, 12]), context())
    assert sessions(signals) == [3]
    assert signals[0].evidence["measure"] == "gad7"


def test_the_intake_is_the_first_score_whenever_it_came() -> None:
    signals = detect_reliable_deterioration(make_series(phq9=[None, 10, None, 16]), context())
    assert sessions(signals) == [4]
    assert signals[0].evidence["intake_session"] == 2


def test_both_measures_deteriorating_give_one_signal_each_in_session_order() -> None:
    series = make_series(phq9=[10, 12, 16], gad7=[5, 9, 9])
    signals = detect_reliable_deterioration(series, context())
    assert [(signal.session, signal.evidence["measure"]) for signal in signals] == [
        (2, "gad7"),
        (3, "phq9"),
    ]


def test_an_improvement_is_not_a_deterioration() -> None:
    assert detect_reliable_deterioration(make_series(phq9=[20, 12, 8]), context()) == []


def test_a_phq9_stuck_at_15_is_not_on_track_from_session_12_on_the_default_curve() -> None:
    signals = detect_not_on_track(make_series(phq9=[15] * 14), context())
    assert sessions(signals) == [12, 13, 14]
    evidence = signals[0].evidence
    assert evidence["curve"] == "default"
    assert evidence["observed"] == 15
    assert evidence["expected"] == pytest.approx(15 * (1 - 0.4 * math.log(12) / math.log(10)))
    assert evidence["bound"] == pytest.approx(evidence["expected"] + Z90 * 5)  # type: ignore[operator]
    assert evidence["course_session"] == 12
    assert signals[0].parameters["not_on_track_level"] == 0.9
    assert "Finch" in signals[0].source


def test_a_client_improving_as_expected_is_on_track() -> None:
    expected = [round(default_curve("phq9").expected(18, t)) for t in range(1, 21)]
    noisy = [value + (2 if t % 3 == 0 else -1) for t, value in enumerate(expected)]
    assert detect_not_on_track(make_series(phq9=noisy), context()) == []


def test_gad7_has_its_own_curve_and_band() -> None:
    # GAD-7's default band is 1.2816 x 4 = 5.13: an intake of 12 stuck at 12 is flagged once
    # 12 x 0.4 ln(t) / ln(10) > 5.13, from session 12.
    signals = detect_not_on_track(make_series(gad7=[12] * 12), context())
    assert sessions(signals) == [12]
    assert signals[0].evidence["measure"] == "gad7"


def test_the_course_is_counted_from_the_intake_session() -> None:
    late = make_series(phq9=[None, None, *([15] * 12)])
    signals = detect_not_on_track(late, context())
    assert sessions(signals) == [14]
    assert signals[0].evidence["intake_session"] == 3
    assert signals[0].evidence["course_session"] == 12


def test_a_practice_curve_says_so_in_the_evidence() -> None:
    practice_curve = ExpectedCurve("phq9", "practice", 0.0, 0.0, 1.0, -0.5, 2.0, 1.0, 1.7, 80)
    base = default_norms()
    practice = PracticeNorms(None, 0, None, None, 0, {**base.curves, "phq9": practice_curve})
    signals = detect_not_on_track(make_series(phq9=[15, 15, 15]), context(practice=practice))
    # Session 2: expected 15 (1 - 0.5 ln 2) = 9.80, bound 9.80 + 2.56 = 12.36 < 15.
    assert sessions(signals) == [2, 3]
    assert signals[0].evidence["curve"] == "practice"
    assert signals[0].evidence["predictive_sd"] == 2.0


def test_a_course_longer_than_the_table_is_computed_directly() -> None:
    series = make_series(phq9=[20] * 300)
    signals = detect_not_on_track(series, context())
    last = signals[-1].evidence
    assert last["course_session"] == 300
    expected = default_curve("phq9").expected(20, 300)
    assert last["expected"] == pytest.approx(expected)


def test_a_single_score_says_nothing_about_the_course() -> None:
    assert detect_not_on_track(make_series(phq9=[27]), context()) == []


def test_a_client_in_caseness_who_has_not_moved_by_session_8_is_not_improving() -> None:
    signals = detect_no_improvement(
        make_series(phq9=[12, 13, 11, 12, 12, 13, 12, 11, 12]), context()
    )
    assert sessions(signals) == [8]  # once, at the set session
    assert signals[0].kind == "no_improvement"
    assert signals[0].rule == "no_reliable_improvement"
    assert signals[0].evidence == {
        "by_session": 8,
        "measures": "phq9",
        "phq9_intake": 12,
        "phq9_latest": 11,
        "phq9_latest_session": 8,
    }
    assert "Haas" in signals[0].source


def test_a_reliable_improvement_by_then_is_not_stuck() -> None:
    # 14 to 8 is 6 points: reliable on PHQ-9.
    assert detect_no_improvement(make_series(phq9=[14, 13, 12, 11, 10, 9, 9, 8]), context()) == []
    # 5 points is not; the client is told as not improving.
    assert sessions(
        detect_no_improvement(make_series(phq9=[14, 13, 12, 11, 10, 9, 9, 9]), context())
    ) == [8]


def test_a_client_who_started_below_caseness_is_not_judged() -> None:
    assert detect_no_improvement(make_series(phq9=[9] * 10, gad7=[7] * 10), context()) == []


def test_improving_on_either_measure_they_started_in_caseness_on_is_enough() -> None:
    series = make_series(phq9=[11] * 8, gad7=[12, 11, 10, 9, 9, 8, 8, 8])
    assert detect_no_improvement(series, context()) == []
    both_stuck = make_series(phq9=[11] * 8, gad7=[12] * 8)
    [signal] = detect_no_improvement(both_stuck, context())
    assert signal.evidence["measures"] == "phq9, gad7"
    assert signal.evidence["gad7_latest"] == 12


def test_measures_asked_monthly_are_judged_at_the_first_score_from_the_set_session() -> None:
    # PHQ-9 at sessions 1, 5 and 9 only: judged at 9, with the score of 9.
    series = make_series(phq9=[15, None, None, None, 14, None, None, None, 14, None])
    assert sessions(detect_no_improvement(series, context())) == [9]


def test_the_set_session_is_a_setting() -> None:
    series = make_series(phq9=[12] * 12)
    later = SignalSettings(no_improvement_by_session=12)
    assert sessions(detect_no_improvement(series, context(settings=later))) == [12]
