"""Repair and unrepaired ruptures: the window, its edges, and both ways of repairing."""

import pytest

from alliance.clinical.signals import Signal, SignalSettings
from alliance.clinical.signals.rupture import detect_repair

from .builders import context, make_series


def kinds_at(signals: list[Signal]) -> list[tuple[str, int, str]]:
    return [(signal.kind, signal.session, signal.rule) for signal in signals]


def test_a_score_back_to_the_pre_rupture_level_is_a_repair() -> None:
    signals = detect_repair(make_series(client=[30, 30, 30, 24, 27, 30]), context())
    assert kinds_at(signals) == [("repair", 6, "score_recovered")]
    assert signals[0].evidence == {
        "rupture_session": 4,
        "reference": 30,
        "score": 30,
        "client_repair": None,
        "sessions_after": 2,
        # The client's own SD of 0 from two changes, pooled with the practice's 2 counted as
        # four changes: the square root of 16 / 6.
        "slack": pytest.approx((16 / 6) ** 0.5),
    }
    assert signals[0].parameters["repair_window"] == 3


def test_recovering_on_the_last_session_of_the_window_still_counts() -> None:
    signals = detect_repair(make_series(client=[30, 30, 30, 24, 25, 26, 30]), context())
    assert kinds_at(signals) == [("repair", 7, "score_recovered")]


def test_no_repair_when_the_window_has_just_passed() -> None:
    signals = detect_repair(make_series(client=[30, 30, 30, 24, 25, 26, 27]), context())
    assert kinds_at(signals) == [("unrepaired_rupture", 7, "no_repair_in_window")]
    assert signals[0].evidence == {
        "rupture_session": 4,
        "reference": 30,
        "best_score_in_window": 27,
        "window_closed_at": 7,
        "slack": pytest.approx((16 / 6) ** 0.5),
    }
    assert "McLaughlin" in signals[0].source


def test_a_recovery_after_the_window_is_too_late() -> None:
    series = make_series(client=[30, 30, 30, 24, 25, 26, 27, 30])
    assert kinds_at(detect_repair(series, context())) == [
        ("unrepaired_rupture", 7, "no_repair_in_window")
    ]


def test_a_rupture_whose_window_is_still_open_is_neither() -> None:
    assert detect_repair(make_series(client=[30, 30, 30, 24, 25, 26]), context()) == []


def test_a_longer_window_is_a_setting() -> None:
    series = make_series(client=[30, 30, 30, 24, 25, 26, 27, 30])
    longer = SignalSettings(repair_window=4)
    assert kinds_at(detect_repair(series, context(settings=longer))) == [
        ("repair", 8, "score_recovered")
    ]


def test_talking_it_through_well_at_the_rupture_session_is_a_repair() -> None:
    series = make_series(
        client=[30, 30, 30], client_tension=[0, 0, 1], client_repair=[None, None, 3]
    )
    signals = detect_repair(series, context())
    assert kinds_at(signals) == [("repair", 3, "talked_through")]
    assert signals[0].evidence["sessions_after"] == 0
    assert "Safran" in signals[0].source


def test_talking_it_through_only_somewhat_is_not_yet_a_repair() -> None:
    series = make_series(
        client=[30, 30, 30, 26, 26, 26],
        client_tension=[0, 0, 1, 0, 0, 0],
        client_repair=[None, None, 2, None, None, None],
    )
    # The score never gets back near 30 (the pre-rupture level, give or take the practice's
    # usual change of 2), so the window closes unrepaired.
    assert kinds_at(detect_repair(series, context())) == [
        ("unrepaired_rupture", 6, "no_repair_in_window")
    ]


def test_a_recovered_score_with_tension_again_is_not_a_repair() -> None:
    series = make_series(
        client=[30, 30, 24, 30, 30],
        client_tension=[0, 0, 0, 1, 0],
        client_repair=[None, None, None, 0, None],
    )
    signals = detect_repair(series, context())
    # Session 4 is a new rupture (a report), not the repair of session 3; session 5 repairs both.
    assert kinds_at(signals) == [("repair", 5, "score_recovered"), ("repair", 5, "score_recovered")]
    assert [signal.evidence["rupture_session"] for signal in signals] == [3, 4]


def test_both_ways_at_one_session_give_two_repair_signals() -> None:
    # "A little" tension asks the repair question, and counts as a report only for a practice
    # that counts a clear yes alone, so the score can recover at the same session.
    series = make_series(
        client=[30, 30, 24, 30],
        client_tension=[0, 0, 0, 1],
        client_repair=[None, None, None, 4],
    )
    clear_yes = SignalSettings(tension_at_least=2)
    assert kinds_at(detect_repair(series, context(settings=clear_yes))) == [
        ("repair", 4, "talked_through"),
        ("repair", 4, "score_recovered"),
    ]


def test_a_repair_answer_stored_with_no_tension_is_not_a_repair() -> None:
    # Stored before such answers were refused: "No" tension, then "Very well" talked through.
    series = make_series(
        client=[30, 30, 30, 24, 25, 26, 27],
        client_tension=[0, 0, 0, 0, 0, 0, 0],
        client_repair=[None, None, None, 4, 4, None, None],
    )
    assert kinds_at(detect_repair(series, context())) == [
        ("unrepaired_rupture", 7, "no_repair_in_window")
    ]


def test_an_ignored_repair_answer_is_left_out_of_the_evidence() -> None:
    series = make_series(
        client=[30, 30, 24, 30],
        client_tension=[0, 0, 0, 0],
        client_repair=[None, None, None, 4],
    )
    signals = detect_repair(series, context())
    assert kinds_at(signals) == [("repair", 4, "score_recovered")]
    assert signals[0].evidence["client_repair"] is None


def test_the_window_counts_session_numbers_not_answers() -> None:
    # Rupture at 4; sessions 5 to 8 had no check-in recorded. The window closed at 7, so the
    # recovery seen at 9 is too late, and the unrepaired signal is given at 9, where it is known.
    series = make_series(client=[30, 30, 30, 24, 30], numbers=[1, 2, 3, 4, 9])
    assert kinds_at(detect_repair(series, context())) == [
        ("unrepaired_rupture", 9, "no_repair_in_window")
    ]


def test_a_reported_rupture_at_the_first_session_is_measured_against_itself() -> None:
    series = make_series(client=[28, 28], client_tension=[1, 0])
    signals = detect_repair(series, context())
    assert kinds_at(signals) == [("repair", 2, "score_recovered")]
    assert signals[0].evidence["reference"] == 28


def test_no_ruptures_no_repairs() -> None:
    assert detect_repair(make_series(client=[30] * 10), context()) == []


def test_a_second_fall_while_the_first_is_open_keeps_the_first_level() -> None:
    # 30, then 24 (rupture at 2), then 18 (rupture at 3), then back to 25: above the 24 before
    # the second fall but still below 30, so neither rupture is repaired.
    signals = detect_repair(make_series(client=[30, 24, 18, 25, 26, 27]), context())
    assert kinds_at(signals) == [
        ("unrepaired_rupture", 5, "no_repair_in_window"),
        ("unrepaired_rupture", 6, "no_repair_in_window"),
    ]
    assert [signal.evidence["reference"] for signal in signals] == [30, 30]


def test_back_to_the_first_level_repairs_both_falls() -> None:
    signals = detect_repair(make_series(client=[30, 24, 18, 30]), context())
    assert kinds_at(signals) == [
        ("repair", 4, "score_recovered"),
        ("repair", 4, "score_recovered"),
    ]
    assert [signal.evidence["rupture_session"] for signal in signals] == [2, 3]


def test_a_fall_after_a_repair_starts_from_the_level_it_fell_from() -> None:
    # Rupture at 2 repaired at 3 (back to 30); a fall at 5 from 28 needs only 28 again.
    signals = detect_repair(make_series(client=[30, 24, 30, 28, 22, 28]), context())
    assert kinds_at(signals) == [
        ("repair", 3, "score_recovered"),
        ("repair", 6, "score_recovered"),
    ]
    assert signals[1].evidence["reference"] == 28


def test_a_fall_after_an_unrepaired_window_closed_starts_afresh() -> None:
    # Rupture at 2 never repaired (closed at 5); the fall at 6 is judged against the level
    # since the rupture, the median of 24, 24, 25, 25 = 24.5.
    signals = detect_repair(make_series(client=[30, 24, 24, 25, 25, 20, 25]), context())
    assert kinds_at(signals) == [
        ("unrepaired_rupture", 5, "no_repair_in_window"),
        ("repair", 7, "score_recovered"),
    ]
    assert signals[1].evidence["reference"] == 24.5


def test_the_reference_is_the_clients_level_not_one_high_rating() -> None:
    # A series seen in review, with the client reporting tension at 6 (for a client this changeable
    # the fall alone is within their own swing). 31 at session 4 was a one-off: the level before
    # the rupture is the median of 27, 29, 26, 31, 26 = 27, and 28 at session 7 is back above
    # it. With the previous score as the reference, one more 31 would have made it 31.
    series = make_series(
        client=[27, 29, 26, 31, 26, 20, 28, 30], client_tension=[0, 0, 0, 0, 0, 1, 0, 0]
    )
    signals = detect_repair(series, context())
    assert kinds_at(signals) == [("repair", 7, "score_recovered")]
    assert signals[0].evidence["reference"] == 27


def test_with_two_earlier_scores_the_reference_is_their_mean() -> None:
    signals = detect_repair(make_series(client=[30, 27, 22, 29, 29, 29]), context())
    assert kinds_at(signals) == [("repair", 4, "score_recovered")]
    assert signals[0].evidence["reference"] == 28.5


def test_back_within_the_clients_usual_change_of_the_level_is_a_repair() -> None:
    # Level 30, the practice's usual change 2 (the client has no history of their own yet):
    # 28 is back, give or take an ordinary change; 27 is not.
    back = detect_repair(make_series(client=[30, 23, 28]), context())
    assert kinds_at(back) == [("repair", 3, "score_recovered")]
    assert back[0].evidence["slack"] == 2.0
    not_back = detect_repair(make_series(client=[30, 23, 27, 27, 27]), context())
    assert kinds_at(not_back) == [("unrepaired_rupture", 5, "no_repair_in_window")]
    assert not_back[0].evidence["slack"] == 2.0
