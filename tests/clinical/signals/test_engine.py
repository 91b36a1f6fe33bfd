"""The whole engine: the registry, quiet series staying quiet, and arbitrary series never
breaking it."""

import inspect
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance.clinical.signals import (
    DETECTORS,
    GUIDANCE,
    KINDS,
    SOURCES,
    Episode,
    PracticeNorms,
    SessionPoint,
    Signal,
    SignalSettings,
    default_norms,
    signals_for,
    signals_for_all,
    signals_for_chunks,
)
from alliance.clinical.signals.context import Context
from alliance.clinical.signals.expected import default_curve
from alliance.clinical.signals.model import RANGES
from alliance.clinical.signals.rupture import detect_repair, detect_rupture

from .builders import SETTINGS, make_series, norms

PRACTICE = norms()  # change SD 2, gap 3 ± 2, default curves


def flat_series(length: int = 20) -> tuple[SessionPoint, ...]:
    return make_series(
        client=[30] * length,
        therapist=[27] * length,
        client_tension=[0] * length,
        therapist_tension=[0] * length,
        phq9=[3] * length,
        gad7=[2] * length,
        item9=[0] * length,
    )


def noisy_stable_series() -> tuple[SessionPoint, ...]:
    # Alliance 28-32 (falls of at most 3 points, 10%), the therapist 26-28, PHQ-9 and GAD-7
    # following the expected course within 2 points.
    client = [30, 31, 29, 30, 32, 30, 29, 31, 30, 28, 30, 31, 29, 30, 32, 31, 29, 30, 31, 30]
    therapist = [27, 28, 26, 27, 28, 27, 26, 27, 28, 26, 27, 27, 26, 27, 28, 28, 26, 27, 27, 27]
    phq9 = [round(default_curve("phq9").expected(16, t)) for t in range(1, 21)]
    gad7 = [round(default_curve("gad7").expected(12, t)) for t in range(1, 21)]
    wobble = [0, 1, -1, 2, 0, -2, 1, 0, -1, 1, 2, 0, -1, 0, 1, -2, 0, 1, 0, -1]
    return make_series(
        client=client,
        therapist=therapist,
        client_tension=[0] * 20,
        therapist_tension=[0] * 20,
        phq9=[max(value + step, 0) for value, step in zip(phq9, wobble, strict=True)],
        gad7=[max(value - step, 0) for value, step in zip(gad7, wobble, strict=True)],
        item9=[0] * 20,
    )


def test_every_detector_has_the_same_shape() -> None:
    for detect in DETECTORS:
        assert list(inspect.signature(detect).parameters) == ["series", "context"], detect


def test_a_flat_series_gives_no_signal() -> None:
    assert signals_for(flat_series(), SETTINGS, PRACTICE) == []
    assert signals_for(flat_series(), SETTINGS, default_norms()) == []


def test_a_noisy_but_stable_series_gives_no_signal() -> None:
    assert signals_for(noisy_stable_series(), SETTINGS, PRACTICE) == []


def test_an_empty_series_gives_no_signal() -> None:
    assert signals_for((), SETTINGS, PRACTICE) == []


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(-1, 1), min_size=2, max_size=40),
    st.lists(st.integers(-1, 1), min_size=40, max_size=40),
    st.integers(24, 33),
)
def test_small_wobbles_around_a_stable_level_never_signal(
    client_noise: list[int], therapist_noise: list[int], level: int
) -> None:
    # A wobble of ±1 is at most a 2-point fall (under 15% of 24 and under 2 x the practice's
    # SD of 2), and the gap stays within 3 ± 4.
    length = len(client_noise)
    series = make_series(
        client=[level + step for step in client_noise],
        therapist=[level - 3 + step for step in therapist_noise[:length]],
        client_tension=[0] * length,
        therapist_tension=[0] * length,
    )
    assert signals_for(series, SETTINGS, PRACTICE) == []


def test_signals_come_in_session_order_then_detector_order() -> None:
    series = make_series(
        client=[30, 30, 24],
        client_tension=[0, 0, 1],
        item9=[0, 1, 1],
        phq9=[10, 10, 16],
    )
    signals = signals_for(series, SETTINGS, PRACTICE)
    assert [(signal.session, signal.kind) for signal in signals] == [
        (2, "risk"),
        (3, "risk"),
        (3, "rupture"),
        (3, "rupture"),
        (3, "not_on_track"),
        (3, "reliable_deterioration"),
    ]


def test_a_context_reused_for_another_series_does_not_reuse_its_ruptures() -> None:
    context = Context(SETTINGS, PRACTICE)
    first = make_series(client=[30, 30, 24])
    second = make_series(client=[30, 30, 30])
    assert detect_rupture(first, context)
    assert detect_rupture(second, context) == []
    assert detect_repair(second, context) == []


def maybe(low: int, high: int) -> st.SearchStrategy[int | None]:
    return st.one_of(st.none(), st.integers(low, high))


@st.composite
def arbitrary_series(draw: st.DrawFn) -> tuple[SessionPoint, ...]:
    numbers = sorted(draw(st.sets(st.integers(1, 300), max_size=40)))
    columns = {
        name: draw(st.lists(maybe(low, high), min_size=len(numbers), max_size=len(numbers)))
        for name, (low, high) in RANGES.items()
        if name != "rses"
    }
    return make_series(
        client=columns["client_alliance"],
        therapist=columns["therapist_alliance"],
        client_tension=columns["client_tension"],
        client_repair=columns["client_repair"],
        therapist_tension=columns["therapist_tension"],
        phq9=columns["phq9"],
        gad7=columns["gad7"],
        item9=columns["phq9_item9"],
        numbers=numbers,
    )


practices = st.sampled_from(
    [
        default_norms(),
        PRACTICE,
        norms(change_sd=0.5, gap_mean=-2.0, gap_sd=0.5),
        norms(change_sd=None, gap_mean=None, gap_sd=None),
    ]
)


@settings(max_examples=300, deadline=None)
@given(arbitrary_series(), practices)
def test_any_series_in_range_gives_well_formed_signals(
    series: tuple[SessionPoint, ...], practice: PracticeNorms
) -> None:
    signals = signals_for(series, SETTINGS, practice)
    numbers = {point.number for point in series}
    for signal in signals:
        assert signal.session in numbers
        assert signal.kind in KINDS
        assert signal.rule in SOURCES
        assert signal.source == SOURCES[signal.rule]
        json.dumps(signal.as_dict(), allow_nan=False)
    assert [signal.session for signal in signals] == sorted(signal.session for signal in signals)


def test_the_practice_wide_calls_agree_with_one_series_at_a_time() -> None:
    practice_norms = PracticeNorms(2.0, 1000, 3.0, 2.0, 1000, PRACTICE.curves)
    episodes = [
        Episode("tara" if index % 2 else "tom", make_series(client=[30, 30 - index % 9, 30]))
        for index in range(60)
    ]
    one_by_one = [signals_for(episode.series, SETTINGS, practice_norms) for episode in episodes]
    assert signals_for_all(episodes, SETTINGS, practice_norms) == one_by_one
    assert signals_for_all(episodes, SETTINGS, practice_norms, workers=2) == one_by_one
    counts = signals_for_chunks(episodes, SETTINGS, practice_norms, count, workers=2)
    assert sum(counts) == sum(map(len, one_by_one))


def count(episodes: object, signals: list[list[Signal]]) -> int:
    return sum(map(len, signals))


def test_every_kind_has_guidance_with_a_reference() -> None:
    assert set(GUIDANCE) == set(KINDS)
    for guidance in GUIDANCE.values():
        assert guidance.text.endswith(".")
        assert guidance.reference


def test_a_signal_is_plain_json() -> None:
    [signal] = signals_for(make_series(client=[20, 14]), SETTINGS, PRACTICE)
    assert json.loads(json.dumps(signal.as_dict())) == {
        "kind": "rupture",
        "session": 2,
        "rule": "percent_drop",
        "parameters": {"rupture_percent_drop": 0.15, "sd_multiplier": 2.5, "min_own_changes": 4},
        "evidence": {
            "previous_session": 1,
            "previous": 20,
            "level": 20,
            "score": 14,
            "drop": 6,
            "drop_fraction": 0.3,
            "spread": 2.0,
            "own_changes": 0,
            "norms_version": 0,
        },
        "source": SOURCES["percent_drop"],
    }


def test_settings_that_make_no_sense_are_refused() -> None:
    with pytest.raises(ValueError, match="rupture_percent_drop"):
        SignalSettings(rupture_percent_drop=15)
    with pytest.raises(ValueError, match="repair_window"):
        SignalSettings(repair_window=0)
    with pytest.raises(ValueError, match="not_on_track_level"):
        SignalSettings(not_on_track_level=0.3)
    with pytest.raises(ValueError, match="low_alliance_at_most"):
        SignalSettings(low_alliance_at_most=35)
    with pytest.raises(ValueError, match="no_improvement_by_session"):
        SignalSettings(no_improvement_by_session=1)
    with pytest.raises(ValueError, match="level_sessions"):
        SignalSettings(level_sessions=0)
    assert SignalSettings().as_dict()["sd_multiplier"] == 2.5


def test_the_docs_show_the_same_guidance_word_for_word() -> None:
    docs = (Path(__file__).parents[3] / "docs" / "signals.md").read_text()
    for guidance in GUIDANCE.values():
        assert guidance.text in docs
        assert f"*({guidance.reference})*" in docs
