"""The practice's norms and engine settings as the engine takes them: stored in versions
(PracticeNormsRecord), decoded once and kept a minute by each process."""

import time
from collections.abc import Callable
from dataclasses import asdict, fields, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from alliance.care.models import (
    PracticeNormsRecord,
)
from alliance.clinical.signals.expected import ExpectedCurve
from alliance.clinical.signals.norms import PracticeNorms, default_norms
from alliance.clinical.signals.parameters import SignalSettings
from alliance.practice.models import Practice


def practice_signal_settings(practice: Practice) -> SignalSettings:
    """The engine's defaults with the practice's own changes (Practice.signal_settings)."""
    known = {field.name for field in fields(SignalSettings)}
    chosen = {k: v for k, v in (practice.signal_settings or {}).items() if k in known}
    return SignalSettings(**chosen)


def norms_from_json(data: dict[str, Any], version: int) -> PracticeNorms:
    """Stored norms as the engine takes them, carrying the version they were stored as."""
    if not data:
        return replace(default_norms(), version=version)
    curves = {measure: ExpectedCurve(**curve) for measure, curve in data["curves"].items()}
    return PracticeNorms(
        change_sd=data["change_sd"],
        changes=data["changes"],
        gap_mean=data["gap_mean"],
        gap_sd=data["gap_sd"],
        gaps=data["gaps"],
        curves=curves,
        version=version,
    )


def norms_to_json(norms: PracticeNorms) -> dict[str, Any]:
    """The norms for PracticeNormsRecord.norms (the version has its own column)."""
    data = asdict(norms)
    del data["version"]
    data["curves"] = {measure: curve.as_dict() for measure, curve in norms.curves.items()}
    return data


# The norms change once a night (the full recompute) and the practice's engine settings hardly
# ever; a process keeps its decoded copy for a minute rather than reading and decoding them on
# every response (a round trip each, a fifth of an update on PostgreSQL).
KEPT_FOR = 60.0


class _KeptForAMinute[T]:
    def __init__(self, load: Callable[[], T]) -> None:
        self._load = load
        self._kept: list[tuple[float, T]] = []

    def get(self) -> T:
        if self._kept and time.monotonic() - self._kept[0][0] < KEPT_FOR:
            return self._kept[0][1]
        value = self._load()
        self._kept[:] = [(time.monotonic(), value)]
        return value

    def forget(self) -> None:
        self._kept.clear()


def norms_current() -> tuple[PracticeNorms, datetime | None]:
    """The current (newest) version of the norms and when it was fitted; the defaults, version
    0, and None before the first fit."""
    record = PracticeNormsRecord.objects.order_by("-version").first()
    if record is None:
        return default_norms(), None
    return norms_from_json(record.norms, record.version), record.fitted_at


def _norms_load() -> PracticeNorms:
    return norms_current()[0]


def engine_settings_read() -> tuple[SignalSettings, ZoneInfo]:
    """The practice's engine settings and zone, read now (``engine_settings`` keeps them)."""
    practice = Practice.objects.current()
    return practice_signal_settings(practice), practice.zone


_norms = _KeptForAMinute(_norms_load)
_engine_practice = _KeptForAMinute(engine_settings_read)


def engine_settings() -> tuple[SignalSettings, ZoneInfo]:
    """The practice's engine settings and zone (kept a minute, like the norms)."""
    return _engine_practice.get()


def stored_norms() -> PracticeNorms:
    """The current version of the practice's norms (or the defaults before there was one)."""
    return _norms.get()


def stored_norms_forget() -> None:
    """Read the norms and the practice's engine settings afresh next time."""
    _norms.forget()
    _engine_practice.forget()
