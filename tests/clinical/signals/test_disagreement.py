"""Client and therapist seeing it differently: the unseen rupture, and the persistent gap.

The practice here has a usual gap of 3 ± 2 (client minus therapist), so with k = 2 a gap is
unusual beyond 3 ± 4: above 7 or below -1.
"""

from alliance.clinical.signals import Signal, SignalSettings
from alliance.clinical.signals.disagreement import detect_disagreement

from .builders import context, make_series, norms


def rules_at(signals: list[Signal]) -> list[tuple[int, str]]:
    return [(signal.session, signal.rule) for signal in signals]


def test_tension_the_therapist_did_not_see_is_a_disagreement() -> None:
    series = make_series(
        client=[30, 30, 30],
        therapist=[26, 26, 28],
        client_tension=[0, 0, 1],
        therapist_tension=[0, 0, 0],
    )
    signals = detect_disagreement(series, context())
    assert rules_at(signals) == [(3, "unseen_by_therapist")]
    evidence = signals[0].evidence
    assert evidence["therapist_alliance"] == 28
    assert evidence["therapist_previous"] == 26
    assert evidence["therapist_previous_session"] == 2
    assert evidence["client_tension"] == 1
    assert evidence["drop_rules"] is None
    assert "Tryon" in signals[0].source


def test_a_therapist_whose_own_rating_fell_with_the_clients_saw_it() -> None:
    # A case seen in review: the therapist went 30 to 24 while the client went 31 to 26. However
    # high this therapist usually rates, their rating of this client fell: they saw it.
    series = make_series(client=[31, 31, 24], therapist=[30, 30, 24], therapist_tension=[0, 0, 0])
    assert detect_disagreement(series, context()) == []
    # Any fall of their own rating counts as seeing something.
    dipped = make_series(client=[31, 31, 24], therapist=[28, 28, 27], therapist_tension=[0, 0, 0])
    assert detect_disagreement(dipped, context()) == []


def test_a_therapist_whose_rating_did_not_fall_did_not_see_it() -> None:
    series = make_series(client=[31, 31, 24], therapist=[28, 28, 28], therapist_tension=[0, 0, 0])
    signals = detect_disagreement(series, context())
    assert rules_at(signals) == [(3, "unseen_by_therapist")]
    assert signals[0].evidence["drop_rules"] == "percent_drop"
    assert signals[0].evidence["client_level"] == 31


def test_a_fall_held_over_two_sessions_is_judged_where_it_began() -> None:
    # The client fell at 2 and stayed down at 3 (a held drop, signalled at 3). The therapist
    # rated session 2 as before and only lowered their rating at 3, once the fall had lasted.
    series = make_series(client=[30, 25, 25], therapist=[27, 27, 22], therapist_tension=[0, 0, 0])
    signals = detect_disagreement(series, context())
    assert rules_at(signals) == [(3, "unseen_by_therapist")]
    assert signals[0].evidence["therapist_alliance"] == 27
    assert signals[0].evidence["therapist_previous_session"] == 1
    assert signals[0].evidence["drop_rules"] == "held_drop"


def test_a_therapist_who_noticed_tension_saw_it() -> None:
    series = make_series(
        client=[30, 30], therapist=[27, 30], client_tension=[0, 1], therapist_tension=[0, 1]
    )
    assert detect_disagreement(series, context()) == []


def test_an_unanswered_therapist_tension_question_is_not_no_tension() -> None:
    series = make_series(
        client=[30, 30], therapist=[27, 30], client_tension=[0, 1], therapist_tension=[0, None]
    )
    assert detect_disagreement(series, context()) == []


def test_the_therapists_first_rating_of_the_client_has_nothing_to_compare_with() -> None:
    series = make_series(
        client=[30, 30], therapist=[None, 30], client_tension=[0, 1], therapist_tension=[None, 0]
    )
    assert detect_disagreement(series, context()) == []


def test_a_therapist_session_without_a_rating_is_skipped_for_their_previous() -> None:
    series = make_series(
        client=[30, 30, 24], therapist=[27, None, 28], therapist_tension=[0, None, 0]
    )
    signals = detect_disagreement(series, context())
    assert rules_at(signals) == [(3, "unseen_by_therapist")]
    assert signals[0].evidence["therapist_previous_session"] == 1


def test_a_gap_far_from_the_usual_three_sessions_running_is_a_disagreement() -> None:
    series = make_series(client=[30] * 6, therapist=[27, 27, 32, 32, 32, 27])
    signals = detect_disagreement(series, context())
    assert rules_at(signals) == [(5, "persistent_gap")]
    assert signals[0].evidence == {
        "direction": "client_rates_lower",
        "run_start": 3,
        "sessions": 3,
        "gap": -2,
        "run_mean_gap": -2.0,
        "practice_mean_gap": 3.0,
        "practice_gap_sd": 2.0,
        "norms_version": 0,
    }


def test_two_sessions_are_not_persistent() -> None:
    series = make_series(client=[30] * 5, therapist=[27, 32, 32, 27, 27])
    assert detect_disagreement(series, context()) == []


def test_a_gap_exactly_at_the_limit_is_not_unusual() -> None:
    series = make_series(client=[30] * 4, therapist=[31, 31, 31, 31])  # gap -1: 4 from 3
    assert detect_disagreement(series, context()) == []


def test_a_client_rating_far_higher_than_usual_counts_too() -> None:
    signals = detect_disagreement(make_series(client=[30] * 3, therapist=[20] * 3), context())
    assert rules_at(signals) == [(3, "persistent_gap")]
    assert signals[0].evidence["direction"] == "client_rates_higher"


def test_a_session_one_side_did_not_rate_neither_breaks_nor_extends_a_run() -> None:
    series = make_series(client=[30, 30, 30, 30, 30], therapist=[32, 32, None, 27, 32])
    assert detect_disagreement(series, context()) == []
    series = make_series(client=[30, 30, None, 30], therapist=[32, 32, 27, 32])
    assert rules_at(detect_disagreement(series, context())) == [(4, "persistent_gap")]


def test_a_long_run_signals_once_and_a_new_run_again() -> None:
    series = make_series(client=[30] * 9, therapist=[32, 32, 32, 32, 27, 32, 32, 32, 32])
    assert rules_at(detect_disagreement(series, context())) == [
        (3, "persistent_gap"),
        (8, "persistent_gap"),
    ]


def test_a_run_that_switches_side_starts_again() -> None:
    series = make_series(client=[30] * 4, therapist=[32, 32, 20, 20])
    assert detect_disagreement(series, context()) == []


def test_the_gap_rule_is_off_until_the_practice_has_gap_norms() -> None:
    series = make_series(client=[30] * 3, therapist=[20] * 3)
    assert detect_disagreement(series, context(practice=norms(gap_mean=None, gap_sd=None))) == []


def test_the_run_length_is_a_setting() -> None:
    series = make_series(client=[30] * 5, therapist=[32, 32, 27, 27, 27])
    shorter = SignalSettings(gap_consecutive=2)
    assert rules_at(detect_disagreement(series, context(settings=shorter))) == [
        (2, "persistent_gap")
    ]


def test_both_rules_come_out_in_session_order() -> None:
    series = make_series(
        client=[30, 30, 30, 30],
        therapist=[32, 32, 32, 28],
        client_tension=[0, 1, 0, 0],
        therapist_tension=[0, 0, 0, 0],
    )
    # Session 2: tension while the therapist's rating stayed at 32.
    assert rules_at(detect_disagreement(series, context())) == [
        (2, "unseen_by_therapist"),
        (3, "persistent_gap"),
    ]
