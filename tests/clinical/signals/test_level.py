"""Low alliance on hand-made series: a relationship weak throughout raises a signal too."""

from alliance.clinical.signals import Signal, SignalSettings
from alliance.clinical.signals.level import detect_low_alliance

from .builders import context, make_series


def sessions(signals: list[Signal]) -> list[int]:
    return [signal.session for signal in signals]


def test_a_client_who_rates_every_session_7_is_told_at_the_first() -> None:
    signals = detect_low_alliance(make_series(client=[7] * 12), context())
    assert sessions(signals) == [1]  # once for the whole run
    assert signals[0].kind == "low_alliance"
    assert signals[0].rule == "low_total"
    assert signals[0].evidence == {
        "score": 7,
        "previous": None,
        "previous_session": None,
        "first_check_in": True,
    }
    assert signals[0].parameters == {"low_alliance_at_most": 17}
    assert "Sharf" in signals[0].source


def test_17_is_low_and_18_is_not() -> None:
    # Four "A little" (2) and three "Somewhat" (3) make 17.
    assert sessions(detect_low_alliance(make_series(client=[17]), context())) == [1]
    assert detect_low_alliance(make_series(client=[18, 18, 18]), context()) == []


def test_later_it_takes_two_low_check_ins_in_a_row() -> None:
    assert detect_low_alliance(make_series(client=[28, 16, 27, 15, 29]), context()) == []
    signals = detect_low_alliance(make_series(client=[28, 16, 15, 14]), context())
    assert sessions(signals) == [3]
    assert signals[0].evidence["previous"] == 16
    assert signals[0].evidence["previous_session"] == 2


def test_a_session_without_a_check_in_neither_breaks_nor_makes_a_run() -> None:
    assert sessions(detect_low_alliance(make_series(client=[28, 16, None, 15]), context())) == [4]


def test_a_new_run_after_the_score_recovered_is_signalled_again() -> None:
    signals = detect_low_alliance(make_series(client=[12, 12, 25, 14, 13]), context())
    assert sessions(signals) == [1, 5]


def test_the_level_is_a_setting() -> None:
    higher = SignalSettings(low_alliance_at_most=21)
    assert sessions(
        detect_low_alliance(make_series(client=[21, 20]), context(settings=higher))
    ) == [1]
