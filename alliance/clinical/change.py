"""Reliable change and clinical significance (Jacobson & Truax 1991).

Two questions about a client's first and last scores: is the change larger than measurement error
alone would produce (reliable change), and did the client move from the clinical range into the
functional one (clinical significance)? Scores run either way, so every function that cares is
told which direction is worse.

Jacobson NS, Truax P. Clinical significance: a statistical approach to defining meaningful change
in psychotherapy research. J Consult Clin Psychol 1991;59(1):12-19. Cross-check against the R
packages ``clinicalsignificance`` and ``JTRCI``.
"""

import math
from dataclasses import dataclass
from typing import Literal

from alliance.clinical.instruments import DIRECTIONS, HigherIs

Direction = Literal["improved", "deteriorated", "none"]
JtCategory = Literal["recovered", "improved", "unchanged", "deteriorated"]
CutoffKind = Literal["a", "b", "c"]

# Jacobson & Truax 1991: a change is reliable when it would arise by chance less than 5% of the
# time (two-tailed), that is when |RC| > 1.96.
Z_RELIABLE = 1.96


@dataclass(frozen=True, slots=True)
class Norms:
    """Mean and standard deviation of a reference group's scores."""

    mean: float
    sd: float

    def __post_init__(self) -> None:
        if not self.sd > 0:
            raise ValueError(f"a standard deviation must be above 0, got {self.sd}")


@dataclass(frozen=True, slots=True)
class Cutoff:
    kind: CutoffKind
    value: float


def _check_direction(higher_is: str) -> None:
    if higher_is not in DIRECTIONS:
        raise ValueError(f"higher_is must be 'worse' or 'better', got {higher_is!r}")


def standard_error(sd: float, reliability: float) -> float:
    """SE = s1·√(1 - r_xx) (Jacobson & Truax 1991), from the pre-treatment SD and reliability."""
    if not sd > 0:
        raise ValueError(f"the standard deviation must be above 0, got {sd}")
    # r_xx = 1 would mean no measurement error, and every change, however small, reliable.
    if not 0 <= reliability < 1:
        raise ValueError(
            f"the reliability must be from 0 up to (not including) 1, got {reliability}"
        )
    return sd * math.sqrt(1 - reliability)


def standard_error_of_difference(sd: float, reliability: float) -> float:
    """S_diff = √(2·SE²) = √2·SE (Jacobson & Truax 1991): two scores, each with its own error."""
    return math.sqrt(2) * standard_error(sd, reliability)


def reliable_change_index(first: float, last: float, sd: float, reliability: float) -> float:
    """RC = (x2 - x1) / S_diff (Jacobson & Truax 1991); |RC| > 1.96 is a reliable change."""
    return (last - first) / standard_error_of_difference(sd, reliability)


def smallest_reliable_change(sd: float, reliability: float) -> float:
    """The smallest raw change that is reliable: 1.96·S_diff (Jacobson & Truax 1991)."""
    return Z_RELIABLE * standard_error_of_difference(sd, reliability)


def cutoff_a(clinical: Norms, *, higher_is: HigherIs) -> float:
    """Two SDs beyond the clinical mean, towards health (Jacobson & Truax 1991): out of the
    dysfunctional range. Needs only clinical norms."""
    _check_direction(higher_is)
    step = 2 * clinical.sd
    return clinical.mean - step if higher_is == "worse" else clinical.mean + step


def cutoff_b(functional: Norms, *, higher_is: HigherIs) -> float:
    """Two SDs from the functional mean, towards illness (Jacobson & Truax 1991): into the
    functional range. Needs only functional norms."""
    _check_direction(higher_is)
    step = 2 * functional.sd
    return functional.mean + step if higher_is == "worse" else functional.mean - step


def cutoff_c(clinical: Norms, functional: Norms) -> float:
    """c = (s0·M1 + s1·M0) / (s0 + s1) (Jacobson & Truax 1991): the point more likely to belong to
    the functional than to the clinical distribution. Symmetric, so no direction is needed."""
    return (functional.sd * clinical.mean + clinical.sd * functional.mean) / (
        functional.sd + clinical.sd
    )


def choose_cutoff(
    *, clinical: Norms | None, functional: Norms | None, higher_is: HigherIs
) -> Cutoff:
    """The best cut-off the available norms allow: c, then b, then a (Jacobson & Truax
    1991, who prefer c when both groups' norms are known)."""
    if clinical is not None and functional is not None:
        return Cutoff("c", cutoff_c(clinical, functional))
    if functional is not None:
        return Cutoff("b", cutoff_b(functional, higher_is=higher_is))
    if clinical is not None:
        return Cutoff("a", cutoff_a(clinical, higher_is=higher_is))
    raise ValueError("a cut-off needs clinical norms, functional norms or both")


def in_clinical_range(score: float, cutoff: float, *, higher_is: HigherIs) -> bool:
    """Whether a score is on the clinical side of a cut-off; the cut-off itself counts as
    clinical, matching published caseness rules ("PHQ-9 of 10 or more")."""
    _check_direction(higher_is)
    return score >= cutoff if higher_is == "worse" else score <= cutoff


def reliable_change_direction(
    first: float, last: float, *, reliable_change: float, higher_is: HigherIs
) -> Direction:
    """Whether the change from first to last is reliable, and which way.

    The change counts as reliable when |last - first| >= reliable_change, inclusive, because
    published raw thresholds are stated that way ("a change of 6 points or more" on PHQ-9, 4 on
    GAD-7; NHS Talking Therapies Manual). Jacobson & Truax 1991 write |RC| > 1.96, strictly; with
    a threshold computed by ``smallest_reliable_change`` the two differ only on exact equality.
    """
    _check_direction(higher_is)
    if not reliable_change > 0:
        raise ValueError(f"reliable_change must be above 0, got {reliable_change}")
    change = last - first
    if abs(change) < reliable_change:
        return "none"
    went_down = change < 0
    return "improved" if went_down == (higher_is == "worse") else "deteriorated"


def jt_category(
    first: float,
    last: float,
    *,
    reliable_change: float,
    cutoff: float | None,
    higher_is: HigherIs,
) -> JtCategory:
    """Jacobson & Truax 1991 categories. Recovered: a reliable improvement that also crossed the
    cut-off from the clinical side to the functional one. Without a cut-off nobody can be
    recovered, only improved."""
    direction = reliable_change_direction(
        first, last, reliable_change=reliable_change, higher_is=higher_is
    )
    if direction == "deteriorated":
        return "deteriorated"
    if direction == "none":
        return "unchanged"
    if (
        cutoff is not None
        and in_clinical_range(first, cutoff, higher_is=higher_is)
        and not in_clinical_range(last, cutoff, higher_is=higher_is)
    ):
        return "recovered"
    return "improved"
