"""What every detector receives besides the series: the practice's settings and norms.

Apart from ``model`` because it holds ``PracticeNorms``, which is computed from model's types:
here the imports run one way (model <- norms <- context), with no cycle.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from alliance.clinical.signals.model import SessionPoint, Signal
from alliance.clinical.signals.norms import PracticeNorms
from alliance.clinical.signals.parameters import SignalSettings


@dataclass(frozen=True, slots=True)
class Context:
    """Everything a detector needs besides the series: the same object for every detector."""

    settings: SignalSettings
    norms: PracticeNorms
    # Work several detectors share, done once per series (see ``rupture.ruptures_of``). Only
    # ``signals_for`` makes a context per series; a memo entry also records which series it
    # belongs to, so a context reused for another series never returns a stale answer.
    memo: dict[str, object] = field(default_factory=dict, compare=False, repr=False)


Detector = Callable[[Sequence[SessionPoint], Context], list[Signal]]
