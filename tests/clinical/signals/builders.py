"""Hand-made series for the detector tests: columns in, session points out."""

from collections.abc import Sequence
from datetime import date, timedelta

from alliance.clinical.signals import (
    PracticeNorms,
    SessionPoint,
    SignalSettings,
    default_norms,
)
from alliance.clinical.signals.context import Context

Column = Sequence[int | None] | None

SETTINGS = SignalSettings()
FIRST_DAY = date(2026, 1, 5)


def make_series(
    *,
    client: Column = None,
    therapist: Column = None,
    client_tension: Column = None,
    client_repair: Column = None,
    therapist_tension: Column = None,
    phq9: Column = None,
    gad7: Column = None,
    item9: Column = None,
    numbers: Sequence[int] | None = None,
) -> tuple[SessionPoint, ...]:
    """One point per position; a column left out is None throughout. Sessions are numbered
    1, 2, 3... unless ``numbers`` says otherwise, a week apart."""
    columns = [client, therapist, client_tension, client_repair, therapist_tension, phq9, gad7]
    columns.append(item9)
    length = max([len(column) for column in columns if column is not None] or [0])
    if numbers is None:
        numbers = range(1, length + 1)
    assert len(numbers) == length, "numbers must match the columns"

    def at(column: Column, index: int) -> int | None:
        return None if column is None else column[index]

    return tuple(
        SessionPoint(
            number=number,
            date=FIRST_DAY + timedelta(days=7 * (number - 1)),
            client_alliance=at(client, index),
            therapist_alliance=at(therapist, index),
            client_tension=at(client_tension, index),
            client_repair=at(client_repair, index),
            therapist_tension=at(therapist_tension, index),
            phq9=at(phq9, index),
            gad7=at(gad7, index),
            phq9_item9=at(item9, index),
        )
        for index, number in enumerate(numbers)
    )


def norms(
    *, change_sd: float | None = 2.0, gap_mean: float | None = 3.0, gap_sd: float | None = 2.0
) -> PracticeNorms:
    """A practice with round figures: changes SD 2, gap 3 ± 2, default curves."""
    base = default_norms()
    return PracticeNorms(
        change_sd=change_sd,
        changes=1000 if change_sd is not None else 0,
        gap_mean=gap_mean,
        gap_sd=gap_sd,
        gaps=1000 if gap_sd is not None else 0,
        curves=base.curves,
    )


def context(
    *,
    settings: SignalSettings = SETTINGS,
    practice: PracticeNorms | None = None,
) -> Context:
    return Context(settings, practice if practice is not None else norms())


def constant(value: int | None, length: int = 20) -> list[int | None]:
    return [value] * length
