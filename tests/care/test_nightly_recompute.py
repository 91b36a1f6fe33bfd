"""The nightly recompute: versioned norms, refitted on schedule or when they move, and nothing
written that need not be."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliance.care.engine.incremental import signals_recompute_client
from alliance.care.engine.nightly import NORMS_REFIT_PERIOD, signals_recompute_all
from alliance.care.engine.norms import stored_norms, stored_norms_forget
from alliance.care.models import Alert, Episode, PracticeNormsRecord, Response, SignalRecord
from alliance.care.services import session_on
from alliance.clients.models import Client
from alliance.clinical.signals.expected import ExpectedCurve, default_curve
from alliance.clinical.signals.norms import PracticeNorms
from alliance.clinical.signals.parameters import SignalSettings
from alliance.clinical.signals.refit import norms_moved, refit_due
from alliance.practice.models import Practice
from tests.care.history import practice_today, session_with, weekly
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

# Midday in the practice's zone, mid-month: far from midnight and from any clock change.
NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture(autouse=True)
def _at_noon() -> Iterator[None]:
    # The practice's sessions are dated from this day, and each night runs at a time after it.
    with time_machine.travel(NOW, tick=False):
        yield


def writes(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith(WRITES)]


def stored() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Every stored signal, alert and episode digest, as rows to compare before and after."""
    return (
        list(
            SignalRecord.objects.order_by("pk").values_list("pk", "client_id", "rule", "evidence")
        ),
        list(Alert.objects.order_by("pk").values_list("pk", "state", "evidence")),
        list(Episode.objects.order_by("pk").values_list("pk", "signals_digest")),
    )


def practice(personas: Personas) -> tuple[Client, Client, list[Client]]:
    """A small practice whose norms are known early (5 observations suffice): six clients
    swinging between 28 and 30; Tom steady at 30 who falls to 25 at the last session (a fall of
    2.5 practice SDs or more, and 15% or more); Una who reports tension (no norms involved)."""
    Practice.objects.filter(pk=Practice.objects.current().pk).update(
        signal_settings={"min_practice_observations": 5}
    )
    stored_norms_forget()
    days = weekly(practice_today(), 6)
    swinging = []
    for number in range(6):
        client = Client.objects.create(name=f"Swing {number}", therapist=personas.tara)
        for day, score in zip(days, (28, 30, 28, 30, 28, 30), strict=True):
            session_with(client, day, alliance=score)
        swinging.append(client)
    tom = Client.objects.create(name="Tom Steady", therapist=personas.tara)
    for day, score in zip(days, (30, 30, 30, 30, 30, 25), strict=True):
        session_with(tom, day, alliance=score)
    una = Client.objects.create(name="Una Tension", therapist=personas.tara)
    for day, tension in zip(days, (0, 0, 0, 2, 0, 0), strict=True):
        session_with(una, day, alliance=29, tension=tension)
    return tom, una, swinging


def rules(client: Client) -> set[str]:
    return set(SignalRecord.objects.filter(client=client).values_list("rule", flat=True))


def rescore(client: Client, scores: tuple[int, ...]) -> None:
    """Change a client's alliance totals in place (as corrected answers would)."""
    responses = Response.objects.filter(client=client, instrument="alliance_client")
    for response, score in zip(responses.order_by("session__date"), scores, strict=True):
        Response.objects.filter(pk=response.pk).update(total=score)


def test_each_fit_is_a_version_and_the_history_is_kept(personas: Personas) -> None:
    practice(personas)
    with time_machine.travel(NOW, tick=False):
        signals_recompute_all(now=NOW)
    later = NOW + NORMS_REFIT_PERIOD
    with time_machine.travel(later, tick=False):
        signals_recompute_all(now=later)

    versions = list(PracticeNormsRecord.objects.values_list("version", "fitted_at", "reason"))
    assert versions == [
        (2, later, "the current norms are 30 days old or more"),
        (1, NOW, "the first fit"),
    ]
    stored_norms_forget()
    assert stored_norms().version == 2


def test_a_nightly_run_on_unchanged_data_writes_nothing(personas: Personas) -> None:
    practice(personas)
    with time_machine.travel(NOW, tick=False):
        signals_recompute_all(now=NOW)
    before = stored()
    assert SignalRecord.objects.exists()

    next_night = NOW + timedelta(days=1)
    with (
        time_machine.travel(next_night, tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        signals_recompute_all(now=next_night)

    assert writes(queries) == []
    assert stored() == before
    assert PracticeNormsRecord.objects.count() == 1


def test_norms_that_moved_within_the_tolerance_are_kept_and_nothing_is_written(
    personas: Personas,
) -> None:
    tom, _, swinging = practice(personas)
    with time_machine.travel(NOW, tick=False):
        signals_recompute_all(now=NOW)
    version = PracticeNormsRecord.objects.get()
    rescore(swinging[0], (28, 29, 28, 30, 28, 30))  # the practice's SD moves about 2%

    next_night = NOW + timedelta(days=1)
    with (
        time_machine.travel(next_night, tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        signals_recompute_all(now=next_night)

    assert writes(queries) == []
    assert list(PracticeNormsRecord.objects.all()) == [version]
    assert "sd_drop" in rules(tom)


def test_a_refit_that_changes_no_decision_writes_no_signal_alert_or_episode(
    personas: Personas,
) -> None:
    tom, _, swinging = practice(personas)
    with time_machine.travel(NOW, tick=False):
        signals_recompute_all(now=NOW)
    evidence = SignalRecord.objects.get(client=tom, rule="sd_drop").evidence
    before = stored()
    rescore(swinging[0], (28, 29, 28, 30, 28, 30))

    # A month on, the slightly moved norms are adopted as version 2 on schedule.
    later = NOW + NORMS_REFIT_PERIOD
    with time_machine.travel(later, tick=False), CaptureQueriesContext(connection) as queries:
        signals_recompute_all(now=later)

    assert [sql.split("(")[0].strip() for sql in writes(queries)] == [
        'INSERT INTO "care_practicenormsrecord"'
    ]
    stored_norms_forget()
    refit = stored_norms()
    assert refit.version == 2
    assert refit.change_sd != evidence["practice_sd"]  # moved, slightly
    # Tom's fall is still a rupture by the SD rule: his signal stays, with its first figures.
    assert stored() == before


def test_a_refit_that_changes_a_decision_rewrites_only_that_client(personas: Personas) -> None:
    tom, una, swinging = practice(personas)
    with time_machine.travel(NOW, tick=False):
        signals_recompute_all(now=NOW)
    assert rules(tom) == {"percent_drop", "sd_drop"}
    una_signals = list(SignalRecord.objects.filter(client=una).values_list("pk", "evidence"))
    assert una_signals
    digests = dict(Episode.objects.values_list("client_id", "signals_digest"))
    # Wider swings, 27 to 31: the practice's SD nearly doubles, so Tom's fall of 5 is past
    # neither 2.5 times the practice's SD nor 2.5 times his spread (his own SD of 0 pooled with
    # the practice's): no rupture rule fires on it now.
    for client in swinging:
        rescore(client, (27, 31, 27, 31, 27, 31))

    next_night = NOW + timedelta(days=1)
    with time_machine.travel(next_night, tick=False):
        signals_recompute_all(now=next_night)

    assert PracticeNormsRecord.objects.latest().reason.startswith("change_sd moved")
    assert rules(tom) == set()
    assert list(SignalRecord.objects.filter(client=una).values_list("pk", "evidence")) == (
        una_signals
    )
    rewritten = {
        client_id
        for client_id, digest in Episode.objects.values_list("client_id", "signals_digest")
        if digest != digests[client_id]
    }
    assert rewritten == {tom.pk}
    assert Alert.objects.filter(client=tom, kind="rupture").count() == 1


def test_the_incremental_update_uses_the_current_version(personas: Personas) -> None:
    tom, _, _ = practice(personas)
    with time_machine.travel(NOW, tick=False):
        signals_recompute_all(now=NOW)
        stored_norms_forget()
        found = signals_recompute_client(client=tom, now=NOW)
    assert stored_norms().version == 1
    assert "sd_drop" in {signal.rule for signal in found}


NORMS = PracticeNorms(
    change_sd=2.0,
    changes=500,
    gap_mean=0.2,
    gap_sd=3.0,
    gaps=500,
    curves={
        measure: replace(default_curve(measure), kind="practice") for measure in ("phq9", "gad7")
    },
    version=3,
)


@pytest.mark.parametrize(
    ("candidate", "reason"),
    [
        (replace(NORMS, change_sd=2.09, gap_sd=3.14, gap_mean=0.34), None),
        (replace(NORMS, change_sd=2.11), "change_sd moved from 2.000 to 2.110"),
        (replace(NORMS, gap_sd=2.8), "gap_sd moved from 3.000 to 2.800"),
        (replace(NORMS, change_sd=None), "change_sd became unknown"),
        (replace(NORMS, gap_mean=0.4), "gap_mean moved from 0.200 to 0.400"),
    ],
)
def test_what_counts_as_norms_that_moved(candidate: PracticeNorms, reason: str | None) -> None:
    assert norms_moved(NORMS, candidate, SignalSettings()) == reason


PHQ9 = NORMS.curves["phq9"]


def moved_with(phq9: ExpectedCurve) -> str | None:
    return norms_moved(
        NORMS, replace(NORMS, curves={**NORMS.curves, "phq9": phq9}), SignalSettings()
    )


def test_an_expected_course_moves_when_its_bound_moves_half_a_point() -> None:
    moved = "the phq9 bound moved by more than 0.5 points"
    assert moved_with(replace(PHQ9, intercept=0.45)) is None
    assert moved_with(replace(PHQ9, intercept=0.55)) == moved
    # 1.2816 x 0.35 = 0.45 points on the 90% bound, 1.2816 x 0.45 = 0.58.
    assert moved_with(replace(PHQ9, predictive_sd=5.35)) is None
    assert moved_with(replace(PHQ9, predictive_sd=5.45)) == moved
    # A slope change shows only at later sessions: ln(20) x 0.02 x 27 = 1.6 points there.
    assert moved_with(replace(PHQ9, intake_log_slope=PHQ9.intake_log_slope + 0.02)) == moved
    assert moved_with(replace(PHQ9, kind="default")) == "the phq9 curve became the default one"


def test_the_norms_are_due_on_the_first_fit_and_after_the_period() -> None:
    period = timedelta(days=30)
    assert refit_due(None, now=NOW, period=period) == "the first fit"
    assert refit_due(NOW - timedelta(days=29, hours=23), now=NOW, period=period) is None
    assert refit_due(NOW - period, now=NOW, period=period) == (
        "the current norms are 30 days old or more"
    )


def test_a_night_after_the_incremental_updates_writes_nothing(personas: Personas) -> None:
    # The nightly run reads the series its own way (chunks, pivoted in SQL): it must number the
    # sessions and see the answers exactly as the incremental update does, or it would rewrite
    # what the day's updates stored.
    tom, una, _ = practice(personas)
    with time_machine.travel(NOW, tick=False):
        signals_recompute_all(now=NOW)
    tomorrow = practice_today() + timedelta(days=1)
    assert tom.therapist is not None
    session_on(client=tom, therapist=tom.therapist, day=tomorrow)  # nobody answered yet
    session_with(una, tomorrow, alliance=29, tension=2, therapist_alliance=30, phq9=12)
    next_night = NOW + timedelta(days=1, hours=10)
    with time_machine.travel(next_night, tick=False):
        for client in (tom, una):
            signals_recompute_client(client=client, now=next_night)
        assert "rupture" in set(
            SignalRecord.objects.filter(client=una).values_list("kind", flat=True)
        )
        with CaptureQueriesContext(connection) as queries:
            signals_recompute_all(now=next_night)

    assert writes(queries) == []
