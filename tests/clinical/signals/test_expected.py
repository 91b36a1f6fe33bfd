"""The expected-response curve: the default, and the practice fit recovering a known model."""

import math
import random

import pytest

from alliance.clinical.signals.expected import (
    LOG_TABLE_SIZE,
    EpisodeSums,
    default_curve,
    episode_sums,
    fit_curve,
)

# The model the fit should recover: score = b0 + b1 L + b2 intake + b3 intake L + u + e.
TRUE = {"b0": 2.0, "b1": -0.5, "b2": 0.85, "b3": -0.15, "sd_u": 2.0, "sd_e": 2.5}


def simulated(episodes: int, seed: int = 7, *, intake: int | None = None) -> list[EpisodeSums]:
    rng = random.Random(seed)
    sums: list[EpisodeSums] = []
    for _ in range(episodes):
        first = intake if intake is not None else rng.randint(5, 24)
        u = rng.gauss(0, TRUE["sd_u"])
        scores = [(1, first)]
        for t in range(2, rng.randint(4, 16)):
            log_t = math.log(t)
            mean = TRUE["b0"] + TRUE["b1"] * log_t + (TRUE["b2"] + TRUE["b3"] * log_t) * first
            # Whole points, as scores are; rounding adds 1/12 to the within variance.
            scores.append((t, round(mean + u + rng.gauss(0, TRUE["sd_e"]))))
        result = episode_sums(scores)
        assert result is not None
        sums.append(result)
    return sums


def test_the_default_curve_falls_by_40_percent_of_the_intake_by_session_10() -> None:
    curve = default_curve("phq9")
    assert curve.expected(15, 1) == pytest.approx(15)
    assert curve.expected(15, 10) == pytest.approx(9.0)
    assert curve.expected(20, 100) == pytest.approx(20 * (1 - 0.8))
    assert curve.kind == "default"
    assert (curve.predictive_sd, default_curve("gad7").predictive_sd) == (5.0, 4.0)


def test_an_expected_score_stays_on_the_scale() -> None:
    assert default_curve("phq9").expected(10, 10_000_000) == 0.0


def test_the_bounds_table_is_expected_plus_z_sds() -> None:
    curve = default_curve("gad7")
    table = curve.bounds(12, 1.5)
    assert len(table) == LOG_TABLE_SIZE
    assert table[7] == pytest.approx(curve.expected(12, 7) + 1.5 * 4.0)
    assert curve.bounds(12, 1.5) is table  # computed once


def test_episode_sums_count_the_course_from_the_intake_session() -> None:
    assert episode_sums([]) is None
    n, sum_l, sum_ll, sum_y, sum_ly, sum_yy, intake = episode_sums([(3, 20), (4, 18), (6, 15)])  # type: ignore[misc]
    assert (n, intake, sum_y, sum_yy) == (2, 20.0, 33.0, 18 * 18 + 15 * 15)
    assert sum_l == pytest.approx(math.log(2) + math.log(4))
    assert sum_ll == pytest.approx(math.log(2) ** 2 + math.log(4) ** 2)
    assert sum_ly == pytest.approx(18 * math.log(2) + 15 * math.log(4))


def test_the_practice_fit_recovers_a_known_model() -> None:
    curve = fit_curve("phq9", simulated(2000), min_episodes=50, min_scores=3)
    assert curve.kind == "practice"
    assert curve.episodes == 2000
    assert curve.intercept == pytest.approx(TRUE["b0"], abs=0.6)
    assert curve.log_slope == pytest.approx(TRUE["b1"], abs=0.4)
    assert curve.intake_weight == pytest.approx(TRUE["b2"], abs=0.04)
    assert curve.intake_log_slope == pytest.approx(TRUE["b3"], abs=0.03)
    assert curve.sd_between == pytest.approx(TRUE["sd_u"], abs=0.25)
    assert curve.sd_within == pytest.approx(math.hypot(TRUE["sd_e"], 12**-0.5), abs=0.15)
    assert curve.predictive_sd == pytest.approx(math.hypot(curve.sd_between, curve.sd_within))  # type: ignore[arg-type]


def test_too_few_episodes_give_the_default_curve() -> None:
    assert fit_curve("phq9", simulated(49), min_episodes=50, min_scores=3).kind == "default"
    assert fit_curve("phq9", simulated(50), min_episodes=50, min_scores=3).kind == "practice"


def test_episodes_with_too_few_scores_do_not_count() -> None:
    short = [sums for sums in simulated(400) if sums[0] + 1 < 5]
    assert fit_curve("phq9", short, min_episodes=10, min_scores=5).kind == "default"


def test_when_every_intake_is_the_same_the_model_cannot_be_fitted() -> None:
    same = simulated(200, intake=15)
    assert fit_curve("gad7", same, min_episodes=50, min_scores=3).kind == "default"
