"""The independent practice says what it plants: its docstring's figures, checked on its output."""

import statistics
from functools import cache

from alliance.clinical.signals import check_series
from tests.clinical.signals.independent import (
    COUNTS,
    GAD7_RELIABLE,
    PHQ9_RELIABLE,
    SESSIONS,
    STABLE_SD,
    Generated,
    independent_practice,
)


@cache
def practice() -> list[Generated]:
    return independent_practice()


def _group(name: str) -> list[Generated]:
    return [item for item in practice() if item.group == name]


def _scores(item: Generated, column: str) -> list[int]:
    values = [getattr(point, column) for point in item.episode.series]
    return [value for value in values if value is not None]


def test_it_makes_every_group_with_valid_series() -> None:
    assert len(practice()) == sum(COUNTS.values())
    for item in practice():
        check_series(item.episode.series)
        assert len(item.episode.series) == SESSIONS


def test_it_is_the_same_practice_for_the_same_seed() -> None:
    assert independent_practice() == practice()
    assert independent_practice(seed=1) != practice()


def test_stable_series_have_their_stated_noise() -> None:
    for group, sd in STABLE_SD.items():
        spread = statistics.mean(
            statistics.stdev(_scores(item, "client_alliance")) for item in _group(group)
        )
        assert abs(spread - sd) < 0.1, group


def test_flat_series_never_move() -> None:
    for item in _group("flat"):
        assert len(set(_scores(item, "client_alliance"))) == 1
        assert len(set(_scores(item, "therapist_alliance"))) == 1


def test_clients_rate_higher_than_therapists_and_agree_modestly() -> None:
    # Tryon et al. 2007: d = .63, r = .36 (the redraw of extreme dyads raises r a little).
    stable = [item for group in STABLE_SD for item in _group(group)]
    client = [statistics.mean(_scores(item, "client_alliance")) for item in stable]
    therapist = [statistics.mean(_scores(item, "therapist_alliance")) for item in stable]
    pooled = (statistics.stdev(client) + statistics.stdev(therapist)) / 2
    assert 0.5 < (statistics.mean(client) - statistics.mean(therapist)) / pooled < 0.8
    assert 0.25 < statistics.correlation(client, therapist) < 0.6
    assert sum(24 <= level <= 33 for level in client) / len(client) > 0.8


def test_planted_falls_are_clear_in_the_scores() -> None:
    falls = []
    for item in _group("rupture"):
        rupture = item.planted[0]
        if "fall" in rupture.detail:
            before, at = item.episode.series[rupture.session - 2 : rupture.session]
            assert before.client_alliance is not None
            assert at.client_alliance is not None
            falls.append(before.client_alliance - at.client_alliance)
    assert statistics.mean(falls) > 7
    assert sum(fall >= 3 for fall in falls) / len(falls) > 0.97


def test_unseen_ruptures_are_not_seen_and_seen_ones_are() -> None:
    for item in _group("rupture"):
        session = item.planted[0].session
        before, at = item.episode.series[session - 2 : session]
        assert before.therapist_alliance is not None
        assert at.therapist_alliance is not None
        change = at.therapist_alliance - before.therapist_alliance
        if item.detail.endswith("unseen"):
            assert change >= 0
            assert at.therapist_tension == 0
        elif "fall" in item.detail:
            assert change <= -3 or before.therapist_alliance - 3 < 7


def test_low_alliance_clients_answer_low_every_time() -> None:
    for item in _group("low"):
        scores = _scores(item, "client_alliance")
        assert all(7 <= score <= 14 for score in scores)
        assert len(scores) == SESSIONS - item.planted[0].session + 1


def test_symptom_courses_are_stuck_improving_or_rising() -> None:
    stuck = _group("stuck")
    for item in stuck:
        assert 10 <= _scores(item, "phq9")[0] <= 20
        assert 8 <= _scores(item, "gad7")[0] <= 16
    moved = [
        statistics.mean(_scores(item, "phq9")[1:]) - _scores(item, "phq9")[0] for item in stuck
    ]
    assert abs(statistics.mean(moved)) < 0.5
    improved = [
        statistics.mean(_scores(item, "phq9")[10:13]) / _scores(item, "phq9")[0]
        for item in _group("improver")
    ]
    assert statistics.mean(improved) < 0.6
    # The rise is planted in the true level; a noisy intake can hide it in the scores, rarely.
    risen = []
    for item in _group("deteriorating"):
        for event in item.planted:
            scores = _scores(item, event.detail)
            reliable = PHQ9_RELIABLE if event.detail == "phq9" else GAD7_RELIABLE
            risen.append(max(scores[event.session - 1 :]) - scores[0] >= reliable)
    assert sum(risen) / len(risen) > 0.95
