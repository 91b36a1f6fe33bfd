"""The therapist's pre-session brief: what to look at before seeing the client again.

Open alerts first (with why and what the research suggests), what changed since the last
session, the charts (symptoms against their expected course, the alliance from both sides with
rupture, repair and tension markers, self-esteem), the worst-answered items and the client's
own words. Everything comes from the client's latest episode in a fixed number of queries.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from alliance.care.engine.norms import engine_settings, stored_norms
from alliance.care.engine.series import latest_episode_series, series_from_rows
from alliance.care.instruments import instrument
from alliance.care.models import Alert, SignalRecord
from alliance.care.why import Why, alert_why
from alliance.clients.models import Client
from alliance.clinical.signals.expected import ExpectedCurve
from alliance.clinical.signals.model import SessionPoint
from alliance.clinical.signals.symptoms import one_sided_z
from alliance.lib.charts import Band, Marker, Series, describe, line_chart
from alliance.scheduling import format_day

MEASURE_LABELS = {"phq9": "PHQ-9", "gad7": "GAD-7", "rses": "Rosenberg"}


@dataclass(frozen=True)
class Chart:
    svg: str
    heading: str
    columns: list[str]
    rows: list[list[str]]


@dataclass
class Brief:
    alerts: list[tuple[Alert, Why]] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    last_session: date | None = None
    curve_kind: str = "default"


def _cell(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _band_label(code: str, total: int | None) -> str:
    found = instrument(code)
    band = found.band_for(total) if found is not None and total is not None else None
    return band.label if band is not None else "—"


def _symptom_chart(
    code: str, points: list[SessionPoint], markers: list[Marker], curve: ExpectedCurve, z: float
) -> Chart | None:
    found = instrument(code)
    scored = [(p.number, getattr(p, code)) for p in points if getattr(p, code) is not None]
    if found is None or not scored:
        return None
    intake_number, intake = scored[0]
    expected: list[tuple[int, float | None]] = []
    bound: list[tuple[int, float | None]] = []
    for point in points:
        if point.number < intake_number:
            continue
        course = point.number - intake_number + 1
        value = curve.expected(intake, course)
        expected.append((point.number, round(value, 1)))
        limit = min(value + z * curve.predictive_sd, found.max_total)
        bound.append((point.number, round(limit, 1)))
    line = Series(f"{found.short_name} score", scored)
    label = MEASURE_LABELS[code]
    svg = line_chart(
        title=f"{label} by session",
        description=describe(line, unit="points")
        + " The dashed line is the expected course; scores above the dotted line are not on "
        "track.",
        series=[line],
        y_min=found.min_total,
        y_max=found.max_total,
        bands=[Band(band.min, band.max, band.label) for band in found.bands],
        expected=Series("Expected course", expected, "dashed"),
        bound=Series("Not-on-track bound", bound, "dashed"),
        markers=markers,
        id_prefix=f"chart-{code}",
    )
    expected_at = dict(expected)
    return Chart(
        svg=svg,
        heading=f"{found.name}",
        columns=["Session", "Date", "Score", "Band", "Expected"],
        rows=[
            [
                str(p.number),
                format_day(p.date),
                _cell(getattr(p, code)),
                _band_label(code, getattr(p, code)),
                _cell(expected_at.get(p.number)),
            ]
            for p in points
            if getattr(p, code) is not None
        ],
    )


def _alliance_chart(points: list[SessionPoint], markers: list[Marker]) -> Chart | None:
    client = [(p.number, p.client_alliance) for p in points if p.client_alliance is not None]
    therapist = [
        (p.number, p.therapist_alliance) for p in points if p.therapist_alliance is not None
    ]
    if not client and not therapist:
        return None
    lines = [Series("Client", client), Series("You (therapist)", therapist, "dashed")]
    svg = line_chart(
        title="The alliance, session by session",
        description=" ".join(describe(line, unit="of 35") for line in lines)
        + " Markers show possible ruptures, repairs and tension the client reported.",
        series=lines,
        y_min=7,
        y_max=35,
        y_ticks=[7, 14, 21, 28, 35],
        markers=markers,
        id_prefix="chart-alliance",
    )
    return Chart(
        svg=svg,
        heading="Alliance: the client's view and yours",
        columns=["Session", "Date", "Client", "You", "Tension (client)", "Marked"],
        rows=[
            [
                str(p.number),
                format_day(p.date),
                _cell(p.client_alliance),
                _cell(p.therapist_alliance),
                {None: "—", 0: "No", 1: "A little", 2: "Yes"}.get(p.client_tension, "—"),
                ", ".join(
                    MARKER_WORDS[m.kind] for m in markers if m.x == p.number and m.kind != "tension"
                )
                or "—",
            ]
            for p in points
            if p.client_alliance is not None or p.therapist_alliance is not None
        ],
    )


def _rses_chart(points: list[SessionPoint]) -> Chart | None:
    scored = [(p.number, p.rses) for p in points if p.rses is not None]
    if not scored:
        return None
    line = Series("Rosenberg self-esteem", scored)
    return Chart(
        svg=line_chart(
            title="Self-esteem (Rosenberg) by session",
            description=describe(line, unit="of 30") + " Higher is more self-esteem.",
            series=[line],
            y_min=0,
            y_max=30,
            y_ticks=[0, 10, 20, 30],
            id_prefix="chart-rses",
        ),
        heading="Self-esteem (Rosenberg Self-Esteem Scale)",
        columns=["Session", "Date", "Score"],
        rows=[
            [str(p.number), format_day(p.date), _cell(p.rses)] for p in points if p.rses is not None
        ],
    )


# What each marker kind is called in the tables beside the charts (the charts name them too).
MARKER_WORDS = {
    "rupture": "Possible rupture",
    "repair": "Repair",
    "tension": "Tension reported",
    "not_on_track": "Not on track",
    "risk": "Risk answer",
}


def _figure(value: object) -> str:
    return f"{value:.1f}".removesuffix(".0") if isinstance(value, float) else str(value)


def _markers(
    points: list[SessionPoint], signals: list[SignalRecord], numbers: dict[int, int]
) -> dict[str, list[Marker]]:
    """The markers of each chart ("phq9", "gad7", "alliance"). The chart's tooltip already says
    the marker's name and session; the label adds what happened."""
    markers: dict[str, list[Marker]] = defaultdict(list)
    seen: set[tuple[str, int, str]] = set()
    for signal in signals:
        number = numbers.get(signal.session_id)
        if number is None:
            continue
        evidence = signal.evidence
        if signal.kind == "rupture":
            chart = "alliance"
            level = evidence.get("level")
            label = (
                f"from a level of {_figure(level)} to {evidence.get('score')}"
                if level is not None
                else "tension reported"
            )
            marker = Marker(number, "rupture", label)
        elif signal.kind == "repair":
            # Which rupture it repairs: beside an unrepaired earlier one, "Repair" alone misleads.
            of = evidence.get("rupture_session")
            chart = "alliance"
            marker = Marker(number, "repair", f"of the rupture at session {of}")
        elif signal.kind == "not_on_track":
            chart = str(evidence.get("measure", "phq9"))
            bound = evidence.get("bound")
            label = f"{evidence.get('observed')} against a bound of " + (
                f"{bound:.1f}" if isinstance(bound, int | float) else "—"
            )
            marker = Marker(number, "not_on_track", label)
        else:
            continue
        if (chart, number, marker.kind) not in seen:
            seen.add((chart, number, marker.kind))
            markers[chart].append(marker)
    for point in points:
        if point.client_tension:
            markers["alliance"].append(Marker(point.number, "tension", "the client said so"))
        if point.phq9_item9:
            label = f"item 9 answered {point.phq9_item9} (above 0)"
            markers["phq9"].append(Marker(point.number, "risk", label))
    return markers


# Asked at every session, so a missing one is news, not a reason to compare older sessions.
EVERY_SESSION = frozenset({"client_alliance", "therapist_alliance"})


def _changes(points: list[SessionPoint]) -> list[str]:
    """Plain sentences on what moved between the last two sessions with each score, naming
    both sessions, so that lines side by side never pass for the same comparison."""
    sentences = []
    latest = points[-1].number if points else 0
    for attribute, name, higher_is_better in (
        ("client_alliance", "The client's alliance rating", True),
        ("therapist_alliance", "Your alliance rating", True),
        ("phq9", "PHQ-9", False),
        ("gad7", "GAD-7", False),
        ("rses", "Rosenberg", True),
    ):
        values = [
            (p.number, getattr(p, attribute)) for p in points if getattr(p, attribute) is not None
        ]
        if attribute in EVERY_SESSION and values and values[-1][0] != latest:
            number, value = values[-1]
            sentences.append(
                f"{name}: not given for session {latest} ({value} at session {number})."
            )
            continue
        if len(values) < 2:
            continue
        (was, before), (now, after) = values[-2], values[-1]
        span = f"{before} at session {was} → {after} at session {now}"
        if after == before:
            sentences.append(f"{name}: {span} (no change).")
        else:
            went_up = after > before
            way = "better" if went_up == higher_is_better else "worse"
            change = f"{'+' if went_up else '-'}{abs(after - before)}"
            sentences.append(f"{name}: {span} ({change}, {way}).")
    if points and points[-1].client_tension:
        sentences.append("At the last session the client reported tension or a misunderstanding.")
    return sentences


def client_brief(client: Client, alerts: list[Alert]) -> Brief:
    brief = Brief()
    brief.alerts = [(alert, alert_why(alert)) for alert in alerts]
    latest = latest_episode_series(client)
    if latest is None:
        return brief
    sessions = latest.sessions
    points = series_from_rows(sessions, latest.rows)
    numbers = {session_id: number for number, (session_id, _) in enumerate(sessions, start=1)}
    signals = list(SignalRecord.objects.filter(client=client))
    markers = _markers(points, signals, numbers)
    norms = stored_norms()
    # The bound the engine flags against, at the practice's own level.
    z = one_sided_z(engine_settings()[0].not_on_track_level)
    brief.curve_kind = norms.curves["phq9"].kind
    charts = [
        _symptom_chart("phq9", points, markers["phq9"], norms.curves["phq9"], z),
        _symptom_chart("gad7", points, markers["gad7"], norms.curves["gad7"], z),
        _alliance_chart(points, markers["alliance"]),
        _rses_chart(points),
    ]
    brief.charts = [chart for chart in charts if chart is not None]
    brief.changes = _changes(points)
    brief.last_session = sessions[-1][1] if sessions else None
    return brief
