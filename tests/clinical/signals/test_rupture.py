"""Rupture rules on hand-made series: each fires exactly when it should, where it should."""

import pytest

from alliance.clinical.signals import Signal, SignalSettings
from alliance.clinical.signals.rupture import detect_rupture, find_ruptures, held_multiplier

from .builders import context, make_series, norms


def rules_at(signals: list[Signal]) -> list[tuple[int, str]]:
    return [(signal.session, signal.rule) for signal in signals]


def test_a_fall_of_exactly_15_percent_is_a_rupture() -> None:
    # With no practice SD yet, the percent rule stands alone (Strauss et al. 2006).
    signals = detect_rupture(make_series(client=[20, 17]), context(practice=norms(change_sd=None)))
    assert rules_at(signals) == [(2, "percent_drop")]
    assert signals[0].evidence == {
        "previous_session": 1,
        "previous": 20,
        "level": 20,
        "score": 17,
        "drop": 3,
        "drop_fraction": pytest.approx(0.15),
        "spread": None,
        "own_changes": 0,
        "norms_version": 0,
    }
    assert signals[0].parameters == {
        "rupture_percent_drop": 0.15,
        "sd_multiplier": 2.5,
        "min_own_changes": 4,
    }
    assert "Strauss" in signals[0].source


def test_a_fall_just_under_15_percent_is_not() -> None:
    without_sd = context(practice=norms(change_sd=None))
    assert detect_rupture(make_series(client=[20, 18]), without_sd) == []
    # 5/35 = 14.3%: only the SD rule could see it, and it has no history here.
    assert detect_rupture(make_series(client=[35, 30]), without_sd) == []
    assert rules_at(detect_rupture(make_series(client=[35, 29]), without_sd)) == [
        (2, "percent_drop")
    ]


def test_before_the_client_has_a_history_the_fall_must_also_pass_the_practice_spread() -> None:
    # Practice SD of changes 2: a fall must exceed 2.5 x 2 = 5 points as well as 15%.
    assert detect_rupture(make_series(client=[20, 17]), context()) == []
    assert detect_rupture(make_series(client=[30, 25]), context()) == []
    signals = detect_rupture(make_series(client=[30, 24]), context())
    assert rules_at(signals) == [(2, "percent_drop")]
    assert signals[0].evidence["spread"] == 2.0


def test_a_clear_fall_that_holds_for_a_second_session_is_a_rupture_there() -> None:
    # 30 to 25 is 17% but within 2.5 x 2; held at the next session, past 1.41 x 2 both times.
    signals = detect_rupture(make_series(client=[30, 25, 25]), context())
    assert rules_at(signals) == [(3, "held_drop")]
    assert signals[0].evidence == {
        "began_session": 2,
        "level": 30,
        "first_score": 25,
        "score": 25,
        "drop": 5,
        "spread": 2.0,
        "threshold": pytest.approx(2.0 * held_multiplier(2.5)),
        "norms_version": 0,
    }
    [rupture] = find_ruptures(make_series(client=[30, 25, 25]), context())
    assert (rupture.session, rupture.began, rupture.before) == (3, 1, 30)
    # Back up at the next session: one session's dip, not a rupture.
    assert detect_rupture(make_series(client=[30, 25, 29]), context()) == []
    # A session without a check-in in between is skipped, as everywhere.
    assert rules_at(detect_rupture(make_series(client=[30, 25, None, 25]), context())) == [
        (4, "held_drop")
    ]


def test_the_held_multiplier_makes_two_sessions_as_rare_as_one_past_k() -> None:
    # P(Z > m)^2 = P(Z > k), by hand from the normal table: P(Z > 2.5) = 0.00621,
    # its square root 0.0788, and P(Z > 1.413) = 0.0788.
    assert held_multiplier(2.5) == pytest.approx(1.413, abs=2e-3)
    # And for k = 2: P(Z > 2) = 0.0228, root 0.151 = P(Z > 1.033).
    assert held_multiplier(2.0) == pytest.approx(1.033, abs=2e-3)


def test_a_fall_within_a_volatile_clients_own_swing_is_not_a_rupture() -> None:
    # Own changes +3 -4 +3 -4 +3 (SD 3.83, pooled with the practice's 2 as 4 changes: 3.15):
    # a fall of 5 from 29 is 17%, yet ordinary for them.
    wobbly = [28, 31, 27, 30, 26, 29]
    assert detect_rupture(make_series(client=[*wobbly, 24]), context()) == []
    # A fall of 10 is past 2.5 x 3.15 = 7.9 and 2.5 x 3.83 = 9.6: both rules see it.
    signals = detect_rupture(make_series(client=[*wobbly, 19]), context())
    assert rules_at(signals) == [(7, "percent_drop"), (7, "sd_drop")]
    assert signals[0].evidence["spread"] == pytest.approx(3.153, abs=1e-3)
    assert signals[1].evidence["own_sd"] == pytest.approx(3.834, abs=1e-3)
    assert signals[1].evidence["threshold_from"] == "own"


def test_a_fall_after_one_unusually_high_rating_is_measured_from_the_usual_level() -> None:
    # 27 four times, then 33 once: back to 27 is no fall from the client's level (median 27).
    assert detect_rupture(make_series(client=[27, 27, 27, 27, 33, 27]), context()) == []
    # A real fall after it counts from 27, not from 33.
    signals = detect_rupture(make_series(client=[27, 27, 27, 27, 33, 20]), context())
    assert rules_at(signals) == [(6, "percent_drop")]
    assert signals[0].evidence["level"] == 27
    assert signals[0].evidence["drop"] == 7


def test_staying_down_after_a_fall_is_not_a_new_rupture() -> None:
    signals = detect_rupture(make_series(client=[30, 30, 30, 24, 24, 23]), context())
    assert rules_at(signals) == [(4, "percent_drop")]


def test_the_fall_into_an_earlier_rupture_does_not_widen_the_clients_own_spread() -> None:
    # The fall at 2 and the climb back at 3 are left out of the own SD (with them it would be
    # 5.3 and hide any fall under 14 points), so a second clear fall at 8 is still seen.
    signals = detect_rupture(make_series(client=[30, 22, 30, 30, 31, 30, 31, 24]), context())
    assert rules_at(signals) == [(2, "percent_drop"), (8, "percent_drop"), (8, "sd_drop")]
    assert signals[2].evidence["own_changes"] == 4
    assert signals[2].evidence["own_sd"] == pytest.approx(0.957, abs=1e-3)


def test_a_rise_is_never_a_rupture() -> None:
    assert detect_rupture(make_series(client=[20, 30, 35]), context()) == []


def test_a_session_without_a_check_in_is_skipped_not_a_fall() -> None:
    signals = detect_rupture(make_series(client=[30, None, 24]), context())
    assert rules_at(signals) == [(3, "percent_drop")]
    assert signals[0].evidence["previous_session"] == 1


def test_the_sd_rule_fires_on_a_fall_beyond_the_practice_threshold() -> None:
    # Own changes +1 -1 +1 -1: SD 1.15, so the practice's 2.5 x 2 = 5 is the stricter threshold.
    signals = detect_rupture(make_series(client=[30, 31, 30, 31, 30, 24]), context())
    assert rules_at(signals) == [(6, "percent_drop"), (6, "sd_drop")]
    evidence = signals[1].evidence
    assert evidence["threshold_from"] == "practice"
    assert evidence["threshold"] == pytest.approx(5.0)
    assert evidence["own_sd"] == pytest.approx((4 / 3) ** 0.5)
    assert evidence["own_changes"] == 4
    assert "Stiles" in signals[1].source


def test_the_sd_rule_sees_a_fall_the_percent_rule_misses() -> None:
    # 35 to 30 is 14.3%, under 15%, but beyond 2.5 x a practice SD of 1.8 = 4.5.
    steady = context(practice=norms(change_sd=1.8))
    signals = detect_rupture(make_series(client=[35, 35, 35, 35, 35, 30]), steady)
    assert rules_at(signals) == [(6, "sd_drop")]


def test_a_fall_equal_to_the_threshold_does_not_exceed_it() -> None:
    assert detect_rupture(make_series(client=[35, 35, 35, 35, 35, 30]), context()) == []


def test_the_sd_rule_waits_for_enough_history() -> None:
    steady = norms(change_sd=1.8)
    series = make_series(client=[35, 35, 35, 30])
    assert detect_rupture(series, context(practice=steady)) == []
    enough = SignalSettings(min_own_changes=2)
    assert rules_at(detect_rupture(series, context(settings=enough, practice=steady))) == [
        (4, "sd_drop")
    ]


def test_the_sd_rule_is_off_until_the_practice_has_an_sd() -> None:
    series = make_series(client=[35, 35, 35, 35, 35, 30])
    assert detect_rupture(series, context(practice=norms(change_sd=None))) == []


@pytest.mark.parametrize("answer", [1, 2])
def test_a_client_reporting_tension_is_a_rupture(answer: int) -> None:
    series = make_series(client=[30, 30], client_tension=[0, answer], client_repair=[None, 1])
    signals = detect_rupture(series, context())
    assert rules_at(signals) == [(2, "client_report")]
    assert signals[0].evidence == {"client_tension": answer, "client_repair": 1, "score": 30}


def test_no_tension_or_no_answer_is_not_a_report() -> None:
    series = make_series(client=[30, 30, 30], client_tension=[0, None, 0])
    assert detect_rupture(series, context()) == []


def test_a_practice_can_count_only_a_clear_yes() -> None:
    series = make_series(client=[30, 30, 30], client_tension=[0, 1, 2])
    strict = SignalSettings(tension_at_least=2)
    assert rules_at(detect_rupture(series, context(settings=strict))) == [(3, "client_report")]


def test_a_therapist_reporting_tension_is_a_rupture_too() -> None:
    series = make_series(client=[30, 30], therapist_tension=[0, 1])
    assert rules_at(detect_rupture(series, context())) == [(2, "therapist_report")]


def test_every_rule_that_fires_at_a_session_gives_its_own_signal() -> None:
    series = make_series(
        client=[30, 31, 30, 31, 30, 24],
        client_tension=[0, 0, 0, 0, 0, 2],
        therapist_tension=[0, 0, 0, 0, 0, 1],
    )
    assert rules_at(detect_rupture(series, context())) == [
        (6, "percent_drop"),
        (6, "sd_drop"),
        (6, "client_report"),
        (6, "therapist_report"),
    ]
    [rupture] = find_ruptures(series, context())
    assert (rupture.session, rupture.before, rupture.score, rupture.dropped) == (6, 30, 24, True)


def test_a_report_without_a_fall_is_a_rupture_that_did_not_drop() -> None:
    [rupture] = find_ruptures(make_series(client=[30, 31], client_tension=[0, 1]), context())
    assert not rupture.dropped
    assert rupture.before == 30
