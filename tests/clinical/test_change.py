"""Reliable change and clinical significance (Jacobson & Truax 1991), against hand-worked figures.

The worked case: SD 5 and reliability .84 give SE = 5 x sqrt(.16) = 2, S_diff = 2 x sqrt(2) =
2.8284, and a smallest reliable change of 1.96 x 2.8284 = 5.5437 points.
"""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliance.clinical.change import (
    Cutoff,
    Norms,
    choose_cutoff,
    cutoff_a,
    cutoff_b,
    cutoff_c,
    in_clinical_range,
    jt_category,
    reliable_change_direction,
    reliable_change_index,
    smallest_reliable_change,
    standard_error,
    standard_error_of_difference,
)

CLINICAL = Norms(mean=18, sd=5)
FUNCTIONAL = Norms(mean=5, sd=4)


def test_standard_error_is_sd_times_root_of_unreliability() -> None:
    assert standard_error(5, 0.84) == pytest.approx(2.0)


def test_standard_error_of_difference_is_root_two_times_se() -> None:
    assert standard_error_of_difference(5, 0.84) == pytest.approx(2.828427, abs=1e-6)


def test_reliable_change_index_divides_the_change_by_s_diff() -> None:
    assert reliable_change_index(20, 12, 5, 0.84) == pytest.approx(-2.828427, abs=1e-6)
    assert reliable_change_index(12, 14, 5, 0.84) == pytest.approx(0.707107, abs=1e-6)


def test_smallest_reliable_change_is_1_96_times_s_diff() -> None:
    assert smallest_reliable_change(5, 0.84) == pytest.approx(5.543717, abs=1e-6)


@pytest.mark.parametrize(("sd", "reliability"), [(0, 0.8), (-1, 0.8), (5, 1), (5, -0.1), (5, 1.2)])
def test_it_refuses_figures_that_make_no_sense(sd: float, reliability: float) -> None:
    with pytest.raises(ValueError, match="must be"):
        standard_error(sd, reliability)


def test_norms_need_a_positive_sd() -> None:
    with pytest.raises(ValueError, match="above 0"):
        Norms(mean=10, sd=0)


def test_cutoff_a_is_two_sds_from_the_clinical_mean_towards_health() -> None:
    assert cutoff_a(CLINICAL, higher_is="worse") == 8  # 18 - 2 x 5
    assert cutoff_a(CLINICAL, higher_is="better") == 28  # 18 + 2 x 5


def test_cutoff_b_is_two_sds_from_the_functional_mean_towards_illness() -> None:
    assert cutoff_b(FUNCTIONAL, higher_is="worse") == 13  # 5 + 2 x 4
    assert cutoff_b(FUNCTIONAL, higher_is="better") == -3  # 5 - 2 x 4


def test_cutoff_c_weights_each_mean_by_the_other_groups_sd() -> None:
    # (4 x 18 + 5 x 5) / (4 + 5) = 97 / 9
    assert cutoff_c(CLINICAL, FUNCTIONAL) == pytest.approx(97 / 9)


def test_cutoff_c_is_halfway_when_the_sds_are_equal() -> None:
    assert cutoff_c(Norms(20, 4), Norms(6, 4)) == pytest.approx(13)


def test_it_prefers_cutoff_c_then_b_then_a() -> None:
    both = choose_cutoff(clinical=CLINICAL, functional=FUNCTIONAL, higher_is="worse")
    assert both.kind == "c"
    assert both.value == pytest.approx(97 / 9)
    assert choose_cutoff(clinical=None, functional=FUNCTIONAL, higher_is="worse") == Cutoff("b", 13)
    assert choose_cutoff(clinical=CLINICAL, functional=None, higher_is="worse") == Cutoff("a", 8)
    with pytest.raises(ValueError, match="needs clinical norms"):
        choose_cutoff(clinical=None, functional=None, higher_is="worse")


def test_the_cutoff_itself_is_in_the_clinical_range() -> None:
    assert in_clinical_range(10, 10, higher_is="worse")
    assert not in_clinical_range(9, 10, higher_is="worse")
    assert in_clinical_range(15, 15, higher_is="better")
    assert not in_clinical_range(16, 15, higher_is="better")


@pytest.mark.parametrize(
    ("first", "last", "direction"),
    [
        (15, 9, "improved"),  # -6: exactly the threshold counts
        (15, 10, "none"),  # -5
        (9, 15, "deteriorated"),  # +6
        (9, 14, "none"),  # +5
        (9, 9, "none"),
    ],
)
def test_reliable_change_is_at_least_the_threshold(first: int, last: int, direction: str) -> None:
    found = reliable_change_direction(first, last, reliable_change=6, higher_is="worse")
    assert found == direction


def test_when_higher_is_better_a_rise_is_an_improvement() -> None:
    assert reliable_change_direction(10, 15, reliable_change=5, higher_is="better") == "improved"
    assert reliable_change_direction(15, 10, reliable_change=5, higher_is="better") == (
        "deteriorated"
    )


def test_it_refuses_a_threshold_of_zero_or_an_unknown_direction() -> None:
    with pytest.raises(ValueError, match="above 0"):
        reliable_change_direction(1, 2, reliable_change=0, higher_is="worse")
    with pytest.raises(ValueError, match="higher_is"):
        reliable_change_direction(1, 2, reliable_change=1, higher_is="up")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("first", "last", "category"),
    [
        (15, 9, "recovered"),  # reliable, and from 15 (case) to 9 (not)
        (16, 10, "improved"),  # reliable, but 10 is still at the cut-off
        (15, 10, "unchanged"),  # crossed, but -5 is not reliable
        (8, 2, "improved"),  # reliable, but never in the clinical range
        (4, 10, "deteriorated"),
        (4, 9, "unchanged"),
    ],
)
def test_jt_categories_at_their_boundaries_when_higher_is_worse(
    first: int, last: int, category: str
) -> None:
    found = jt_category(first, last, reliable_change=6, cutoff=10, higher_is="worse")
    assert found == category


@pytest.mark.parametrize(
    ("first", "last", "category"),
    [
        (15, 20, "recovered"),  # the cut-off is in the clinical range; 20 is past it
        (12, 16, "unchanged"),
        (16, 21, "improved"),
        (12, 17, "recovered"),
        (20, 15, "deteriorated"),
    ],
)
def test_jt_categories_when_higher_is_better(first: int, last: int, category: str) -> None:
    found = jt_category(first, last, reliable_change=5, cutoff=15, higher_is="better")
    assert found == category


def test_without_a_cutoff_nobody_is_recovered_only_improved() -> None:
    assert jt_category(20, 5, reliable_change=6, cutoff=None, higher_is="worse") == "improved"


def test_jt_categories_work_with_a_computed_threshold_and_cutoff() -> None:
    threshold = smallest_reliable_change(5, 0.84)  # 5.54
    cutoff = choose_cutoff(clinical=CLINICAL, functional=FUNCTIONAL, higher_is="worse").value
    assert jt_category(18, 10, reliable_change=threshold, cutoff=cutoff, higher_is="worse") == (
        "recovered"
    )
    assert jt_category(18, 13, reliable_change=threshold, cutoff=cutoff, higher_is="worse") == (
        "unchanged"
    )


@given(
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=0, max_value=40),
    st.floats(min_value=1, max_value=20),
    st.floats(min_value=0, max_value=0.99),
)
def test_the_index_and_the_smallest_change_agree(
    first: int, last: int, sd: float, reliability: float
) -> None:
    index = reliable_change_index(first, last, sd, reliability)
    threshold = smallest_reliable_change(sd, reliability)
    if not math.isclose(abs(last - first), threshold):
        assert (abs(index) > 1.96) == (abs(last - first) > threshold)
