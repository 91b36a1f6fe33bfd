"""The engine's data: what goes in (a session series) and what comes out (signals). The context
every detector receives is in ``context``, beside the norms it carries.

The inputs are frozen dataclasses with slots: the full recompute reads millions of session
points, and slots keep them small and their attributes quick to read. A signal is a named tuple,
for the reason its docstring gives.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import Literal, NamedTuple

Kind = Literal[
    "risk",
    "rupture",
    "repair",
    "unrepaired_rupture",
    "disagreement",
    "low_alliance",
    "not_on_track",
    "no_improvement",
    "reliable_deterioration",
]
KINDS: tuple[Kind, ...] = (
    "risk",
    "rupture",
    "repair",
    "unrepaired_rupture",
    "disagreement",
    "low_alliance",
    "not_on_track",
    "no_improvement",
    "reliable_deterioration",
)
Measure = Literal["phq9", "gad7"]
MEASURES: tuple[Measure, ...] = ("phq9", "gad7")
# Parameters and evidence hold plain JSON scalars only, so that the Django side can store a signal
# in a JSONField and the API can return it as it is.
Scalar = int | float | str | bool | None
TherapistKey = Hashable


@dataclass(frozen=True, slots=True)
class SessionPoint:
    """What one session of an episode produced. Any score may be missing (None): a check-in not
    sent, not answered, or not yet scored. Never turn a missing answer into 0."""

    number: int  # 1-based session number within the episode
    date: date
    client_alliance: int | None = None  # client check-in total, 7 items 1-5 each: 7..35
    therapist_alliance: int | None = None  # the therapist's form, same scale: 7..35
    client_tension: int | None = None  # ac_tension: 0 No, 1 A little, 2 Yes
    client_repair: int | None = None  # ac_repair: 0 didn't talk about it .. 4 very well
    therapist_tension: int | None = None  # at_tension, same scale as client_tension
    phq9: int | None = None
    gad7: int | None = None
    phq9_item9: int | None = None
    rses: int | None = None


def scores_of(series: Sequence[SessionPoint], measure: Measure) -> list[int | None]:
    """One measure's column of the series, None where it was not answered."""
    # A comprehension per measure rather than getattr or attrgetter: direct attribute reads on
    # a slots class are the fastest way to a column in CPython 3.12.
    if measure == "phq9":
        return [point.phq9 for point in series]
    return [point.gad7 for point in series]


# The ranges of each field, for ``check_series`` and for the property-based tests.
RANGES: dict[str, tuple[int, int]] = {
    "client_alliance": (7, 35),
    "therapist_alliance": (7, 35),
    "client_tension": (0, 2),
    "client_repair": (0, 4),
    "therapist_tension": (0, 2),
    "phq9": (0, 27),
    "gad7": (0, 21),
    "phq9_item9": (0, 3),
    "rses": (0, 30),
}


def check_series(series: Sequence[SessionPoint]) -> None:
    """Raise ValueError unless session numbers start at 1 or later and strictly increase and
    every score is in its range. The detectors assume both and do not check again (the full
    recompute runs them over millions of points); call this where data enters from outside."""
    previous = 0
    for point in series:
        if point.number <= previous:
            raise ValueError(
                f"session numbers must be 1 or more and increase, got {point.number} "
                f"after {previous}"
            )
        previous = point.number
        for name, (low, high) in RANGES.items():
            value = getattr(point, name)
            if value is not None and not low <= value <= high:
                raise ValueError(
                    f"session {point.number}: {name} must be from {low} to {high}, got {value}"
                )


class Signal(NamedTuple):
    """Something a therapist may want to act on before the next session.

    ``session`` is the session number where the signal arises (the Django side maps it to the
    session's date); ``rule`` a short stable id of the rule that fired; ``parameters`` the
    thresholds it used; ``evidence`` the numbers that made it fire; ``source`` the citation.

    A named tuple rather than a frozen dataclass: a full recompute makes about a million of
    them and may send them between processes, and a named tuple takes about a third of the time
    to build and half the time to unpickle. Treat the two dicts as read-only.
    """

    kind: Kind
    session: int
    rule: str
    parameters: dict[str, Scalar]
    evidence: dict[str, Scalar]
    source: str

    def as_dict(self) -> dict[str, Scalar | dict[str, Scalar]]:
        """A JSON-ready copy (the API adds ``session_date``)."""
        return {
            "kind": self.kind,
            "session": self.session,
            "rule": self.rule,
            "parameters": dict(self.parameters),
            "evidence": dict(self.evidence),
            "source": self.source,
        }


# Sort key: a signal's session (a C-level getter; the sorts run once per series).
by_session = itemgetter(1)


@dataclass(frozen=True, slots=True)
class Episode:
    """One client's episode of care for the practice-wide calls: who treats them (a key the
    caller chooses, for telling the results apart) and the session series, in session order."""

    therapist: TherapistKey
    series: Sequence[SessionPoint]
