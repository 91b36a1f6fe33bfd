"""The relationship engine: one client's session series in, signals a therapist can act on out.

Pure Python with no Django import, like the rest of ``alliance.clinical``. Each detector is a
function of the same shape, ``detect_x(series, context) -> list[Signal]``, listed in
``DETECTORS``; docs/signals.md describes every signal, rule, parameter and source, and gives the
recipe for adding a detector.

- ``model``: ``SessionPoint`` (in), ``Signal`` (out), ``Episode``.
- ``context``: ``Context``, what every detector receives (settings and norms), and ``Detector``.
- ``parameters``: ``SignalSettings``, every threshold with its documented default.
- ``norms``: ``PracticeNorms`` and ``practice_norms_fit``, what is usual in the practice.
- ``expected``: the expected-response curves (Finch, Lambert & Schaalje 2001).
- ``rupture``, ``disagreement``, ``symptoms``: the detectors.
- ``references``: rule ids, each rule's source, and ``GUIDANCE`` (what the research suggests).
- ``engine``: ``DETECTORS``, ``signals_for`` (one series), ``signals_for_all`` and
  ``signals_for_chunks`` (a practice, optionally over processes: ``parallel``).
"""

from alliance.clinical.signals.context import Context, Detector
from alliance.clinical.signals.engine import (
    DETECTORS,
    signals_for,
    signals_for_all,
    signals_for_chunks,
)
from alliance.clinical.signals.expected import ExpectedCurve, default_curve
from alliance.clinical.signals.model import KINDS, Episode, Kind, SessionPoint, Signal, check_series
from alliance.clinical.signals.norms import (
    NormsAccumulator,
    PracticeNorms,
    default_norms,
    practice_norms_fit,
)
from alliance.clinical.signals.parameters import SignalSettings
from alliance.clinical.signals.references import GUIDANCE, SOURCES, Guidance

__all__ = [
    "DETECTORS",
    "GUIDANCE",
    "KINDS",
    "SOURCES",
    "Context",
    "Detector",
    "Episode",
    "ExpectedCurve",
    "Guidance",
    "Kind",
    "NormsAccumulator",
    "PracticeNorms",
    "SessionPoint",
    "Signal",
    "SignalSettings",
    "check_series",
    "default_curve",
    "default_norms",
    "practice_norms_fit",
    "signals_for",
    "signals_for_all",
    "signals_for_chunks",
]
