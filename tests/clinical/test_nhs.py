"""NHS Talking Therapies paired outcomes on worked series, one definition at a time."""

import pytest

from alliance.clinical.nhs import NhsOutcome, is_case, nhs_outcome, reliable_recovery


def outcome(phq9: tuple[int, int], gad7: tuple[int, int], sessions: int = 6) -> NhsOutcome:
    return nhs_outcome(
        phq9_first=phq9[0],
        phq9_last=phq9[1],
        gad7_first=gad7[0],
        gad7_last=gad7[1],
        sessions=sessions,
    )


NOT_ELIGIBLE = NhsOutcome(False, None, None, None, None, None)


def test_an_episode_with_one_session_is_not_counted() -> None:
    assert outcome((15, 5), (12, 3), sessions=1) == NOT_ELIGIBLE


def test_an_episode_with_two_sessions_is_counted() -> None:
    assert outcome((15, 5), (12, 3), sessions=2).eligible


@pytest.mark.parametrize("missing", ["phq9_first", "phq9_last", "gad7_first", "gad7_last"])
def test_an_episode_without_paired_scores_on_both_measures_is_not_counted(missing: str) -> None:
    scores: dict[str, int | None] = {
        "phq9_first": 15,
        "phq9_last": 5,
        "gad7_first": 12,
        "gad7_last": 3,
    }
    scores[missing] = None
    result = nhs_outcome(
        phq9_first=scores["phq9_first"],
        phq9_last=scores["phq9_last"],
        gad7_first=scores["gad7_first"],
        gad7_last=scores["gad7_last"],
        sessions=8,
    )
    assert result == NOT_ELIGIBLE


@pytest.mark.parametrize(
    ("phq9", "gad7", "case"),
    [(10, 0, True), (9, 8, True), (9, 7, False), (27, 21, True), (0, 0, False)],
)
def test_caseness_is_phq9_10_or_gad7_8(phq9: int, gad7: int, case: bool) -> None:
    assert is_case(phq9, gad7) is case
    assert outcome((phq9, 0), (gad7, 0)).caseness_at_start is case


def test_recovery_needs_both_measures_below_caseness_at_the_end() -> None:
    assert outcome((15, 9), (10, 7)).recovered is True
    assert outcome((15, 9), (10, 8)).recovered is False  # GAD-7 still at caseness
    assert outcome((15, 10), (10, 2)).recovered is False  # PHQ-9 still at caseness


def test_recovery_does_not_apply_to_an_episode_that_was_not_a_case() -> None:
    result = outcome((9, 2), (7, 1))
    assert (result.caseness_at_start, result.recovered, result.reliable_recovery) == (
        False,
        None,
        None,
    )
    assert result.reliable_improvement is True  # 9 -> 2 is still a reliable improvement


def test_reliable_improvement_on_phq9_alone() -> None:
    result = outcome((15, 9), (6, 6))  # PHQ-9 -6 (reliable), GAD-7 0
    assert (result.reliable_improvement, result.reliable_deterioration) == (True, False)


def test_reliable_improvement_on_gad7_alone() -> None:
    result = outcome((15, 10), (9, 5))  # PHQ-9 -5 (not reliable), GAD-7 -4 (reliable)
    assert (result.reliable_improvement, result.reliable_deterioration) == (True, False)


def test_changes_just_short_of_reliable_are_neither() -> None:
    result = outcome((15, 10), (9, 6))  # -5 and -3
    assert (result.reliable_improvement, result.reliable_deterioration) == (False, False)


def test_a_reliable_change_each_way_is_neither_improvement_nor_deterioration() -> None:
    result = outcome((15, 9), (4, 8))  # PHQ-9 -6, GAD-7 +4
    assert (result.reliable_improvement, result.reliable_deterioration) == (False, False)
    result = outcome((3, 9), (12, 8))  # PHQ-9 +6, GAD-7 -4
    assert (result.reliable_improvement, result.reliable_deterioration) == (False, False)


def test_reliable_deterioration_on_one_measure_without_improvement_on_the_other() -> None:
    result = outcome((5, 11), (3, 3))  # PHQ-9 +6
    assert (result.reliable_improvement, result.reliable_deterioration) == (False, True)
    result = outcome((12, 7), (3, 7))  # PHQ-9 -5 (not reliable), GAD-7 +4
    assert (result.reliable_improvement, result.reliable_deterioration) == (False, True)


def test_reliable_recovery_is_recovery_with_reliable_improvement() -> None:
    result = outcome((12, 6), (8, 5))  # recovered; PHQ-9 -6 is reliable
    assert (result.recovered, result.reliable_improvement, result.reliable_recovery) == (
        True,
        True,
        True,
    )


def test_recovery_without_reliable_improvement_is_not_reliable_recovery() -> None:
    result = outcome((11, 9), (8, 7))  # below caseness at the end, but -2 and -1
    assert (result.recovered, result.reliable_improvement, result.reliable_recovery) == (
        True,
        False,
        False,
    )


def test_reliable_recovery_needs_recovery_to_apply() -> None:
    assert reliable_recovery(recovered=None, reliable_improvement=True) is None
    assert reliable_recovery(recovered=False, reliable_improvement=True) is False


def test_the_thresholds_are_parameters() -> None:
    kept = {"phq9_first": 15, "phq9_last": 10, "gad7_first": 6, "gad7_last": 6, "sessions": 4}
    assert nhs_outcome(**kept).reliable_improvement is False
    assert nhs_outcome(**kept, phq9_reliable_change=5).reliable_improvement is True
    assert nhs_outcome(**kept, phq9_caseness=16).caseness_at_start is False
    assert nhs_outcome(**kept, min_sessions=5).eligible is False


@pytest.mark.parametrize(
    ("phq9", "gad7", "sessions"),
    [((28, 0), (0, 0), 2), ((0, 0), (0, 22), 2), ((0, 0), (-1, 0), 2), ((0, 0), (0, 0), -1)],
)
def test_it_refuses_scores_outside_the_measures_range(
    phq9: tuple[int, int], gad7: tuple[int, int], sessions: int
) -> None:
    with pytest.raises(ValueError, match=r"must be from 0|cannot be negative"):
        outcome(phq9, gad7, sessions)
