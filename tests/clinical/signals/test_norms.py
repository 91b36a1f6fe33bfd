"""The practice norms: hand-worked figures, and the quick path agreeing with the plain loop."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance.clinical.signals import (
    Episode,
    PracticeNorms,
    SignalSettings,
    default_norms,
    practice_norms_fit,
)
from alliance.clinical.signals.norms import NormsAccumulator

from .builders import make_series

FEW = SignalSettings(min_practice_observations=2)


def test_it_computes_the_change_sd_and_gap() -> None:
    episodes = [
        Episode("tara", make_series(client=[30, 32, 29], therapist=[26, 28, 27])),
        Episode("tom", make_series(client=[25, None, 27], therapist=[24, 24, None])),
    ]
    norms = practice_norms_fit(episodes, FEW)
    changes = [2, -3, 2]  # 30→32→29, and 25→27 across the missing check-in
    assert norms.changes == 3
    assert norms.change_sd == pytest.approx(_sd(changes))
    gaps = [4, 4, 2, 1]
    assert norms.gaps == 4
    assert norms.gap_mean == pytest.approx(2.75)
    assert norms.gap_sd == pytest.approx(_sd(gaps))


def _sd(values: list[int]) -> float:
    mean = sum(values) / len(values)
    return math.sqrt(sum((value - mean) ** 2 for value in values) / (len(values) - 1))


def test_too_little_data_leaves_the_norms_unknown() -> None:
    episodes = [Episode("tara", make_series(client=[30, 32], therapist=[26, 28]))]
    norms = practice_norms_fit(episodes, SignalSettings())
    assert (norms.change_sd, norms.gap_mean, norms.gap_sd) == (None, None, None)
    assert {curve.kind for curve in norms.curves.values()} == {"default"}


def test_a_new_practice_has_default_norms() -> None:
    norms = default_norms()
    assert norms.change_sd is None
    assert norms.curves["phq9"].kind == "default"
    assert practice_norms_fit([], SignalSettings()) == PracticeNorms(
        None, 0, None, None, 0, norms.curves
    )


score = st.integers(7, 35)


@st.composite
def episodes(draw: st.DrawFn) -> Episode:
    length = draw(st.integers(1, 30))
    complete = draw(st.booleans())
    maybe = st.one_of(st.none(), score) if not complete else score
    client = draw(st.lists(maybe, min_size=length, max_size=length))
    therapist = draw(st.lists(maybe, min_size=length, max_size=length))
    phq9 = draw(st.lists(st.integers(0, 27), min_size=length, max_size=length))
    gad7 = draw(st.lists(st.integers(0, 21), min_size=length, max_size=length))
    start = draw(st.integers(1, 5))
    numbers = list(range(start, start + length))
    return Episode(
        draw(st.sampled_from(["a", "b"])),
        make_series(client=client, therapist=therapist, phq9=phq9, gad7=gad7, numbers=numbers),
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(episodes(), min_size=1, max_size=8))
def test_the_quick_path_gives_the_plain_loops_sums(practice: list[Episode]) -> None:
    quick, plain = NormsAccumulator(), NormsAccumulator()
    for episode in practice:
        quick.add(episode)
        plain.add_plain(episode)
    assert (quick.changes, quick.gaps) == (plain.changes, plain.gaps)
    for name in ("change_sum", "change_squares", "gap_sum", "gap_squares"):
        assert getattr(quick, name) == pytest.approx(getattr(plain, name))
    for measure in ("phq9", "gad7"):
        assert len(quick.episodes[measure]) == len(plain.episodes[measure])
        for mine, theirs in zip(quick.episodes[measure], plain.episodes[measure], strict=True):
            assert mine == pytest.approx(theirs)


def test_splitting_the_practice_over_processes_gives_the_same_norms() -> None:
    practice = [
        Episode(index % 3, make_series(client=[30, 28 + index % 5, 31], therapist=[27, 26, 28]))
        for index in range(120)
    ]
    one = practice_norms_fit(practice, FEW)
    two = practice_norms_fit(practice, FEW, workers=2)
    assert two.change_sd == pytest.approx(one.change_sd)
    assert two.gap_mean == pytest.approx(one.gap_mean)
