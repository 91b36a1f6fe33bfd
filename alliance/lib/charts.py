"""Small line charts drawn on the server as inline SVG: no JavaScript, no CDN, no third-party code.

The therapist's brief draws three kinds with the one function, ``line_chart``: a symptom score
against its severity bands and expected course, the client's and the therapist's alliance per
session with rupture, repair and tension markers, and the Rosenberg self-esteem score.

- Text scales with the viewBox, so its size is in proportion to the chart's width: drawn 310 px
  wide (a 360 px phone less the page's gutters) it is still 11 px. The stylesheet caps the
  chart's width on a desktop so that the same text stays near 16 px there.
- Colours are presentation attributes, never ``style``: the Content-Security-Policy forbids
  inline styles, and the SVG should draw correctly where the stylesheet is absent.
- Nothing depends on colour alone: each line has its own dash pattern and point shape, and each
  marker kind its own shape, so a black-and-white print still reads.
- Every piece of text is escaped here, because templates insert the result with ``|safe``.
- Output is a pure function of the arguments (ids included), so pages cache and tests compare.

The text alternative (a small table) lives in the template; ``describe`` helps the caller write a
``description`` that says what the picture shows.
"""

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from types import MappingProxyType
from typing import Literal

LineStyle = Literal["solid", "dashed"]
MarkerKind = Literal["rupture", "repair", "tension", "not_on_track", "risk"]
Points = Sequence[tuple[int, float | None]]


@dataclass(frozen=True, slots=True)
class Series:
    """One line of (session number, value) pairs. A None value breaks the line; a session that
    is simply not listed is joined over, so a measure taken every few sessions stays a line."""

    label: str
    points: Points
    style: LineStyle = "solid"


@dataclass(frozen=True, slots=True)
class Band:
    """A labelled score range with both ends included, as instruments publish them (Mild 5-9)."""

    low: float
    high: float
    label: str


@dataclass(frozen=True, slots=True)
class Marker:
    """Something that happened at a session; ``label`` becomes the marker's tooltip."""

    x: int
    kind: MarkerKind
    label: str


# The palette of alliance.css. Lines, points and markers are at least 3:1 against white (WCAG
# 1.4.11, graphical objects) and text at least 4.5:1; tests/lib/test_charts.py checks both.
INK = "#1f2a2e"
MUTED = "#4f5d63"
SERIES_COLOURS = ("#2f6b5e", "#9a4f2b", "#1d5fbf")
_DANGER, _WARM, _DEEP_GREEN, _WHITE = "#a3312a", "#9a4f2b", "#234f45", "#ffffff"
MARKER_COLOURS: Mapping[MarkerKind, str] = MappingProxyType(
    {
        "risk": _DANGER,
        "not_on_track": _DANGER,
        "rupture": _DANGER,
        "tension": _WARM,
        "repair": _DEEP_GREEN,
    }
)
# Decorative: these carry nothing that the axes and labels do not also say.
_GRID, _BAND_FILL, _BAND_EDGE = "#e6e0d6", "#f1ede6", "#ddd6cb"

MARKER_NAMES: Mapping[MarkerKind, str] = MappingProxyType(
    {
        "risk": "Risk answer",
        "not_on_track": "Not on track",
        "rupture": "Rupture",
        "tension": "Tension reported",
        "repair": "Repair",
    }
)
# Marker rows run top to bottom in this order: the most urgent nearest the eye.
_MARKER_ORDER: tuple[MarkerKind, ...] = ("risk", "not_on_track", "rupture", "tension", "repair")

# Shapes drawn around 0,0 at unit size and scaled in <defs>; one shape per meaning, so that
# a black-and-white print keeps every distinction.
_POINT_SHAPES = (
    '<circle r="1"/>',
    '<rect x="-.9" y="-.9" width="1.8" height="1.8"/>',
    '<path d="M0-1.25L1.25 0L0 1.25L-1.25 0Z"/>',
)
_MARKER_SHAPES: Mapping[MarkerKind, str] = MappingProxyType(
    {
        "rupture": '<path d="M-1-.8H1L0 .9Z"/>',  # a fall: a downward triangle
        "repair": f'<circle r="1"/><path d="M-.5 0l.35.4l.6-.8" fill="none" stroke="{_WHITE}" '
        'stroke-width=".3" stroke-linecap="round" stroke-linejoin="round"/>',  # a tick
        "tension": '<path d="M-.75-.75l1.5 1.5M.75-.75l-1.5 1.5" fill="none" '
        f'stroke="{_WARM}" stroke-width=".38" stroke-linecap="round"/>',  # a cross
        "not_on_track": f'<path d="M-.7 1V-1L1-.5L-.7 0" stroke="{_DANGER}" '
        'stroke-width=".25" stroke-linejoin="round"/>',  # a flag
        "risk": '<rect x="-1" y="-1" width="2" height="2" rx=".3"/><path d="M0-.55V.1M0 .5v.01" '
        f'stroke="{_WHITE}" stroke-width=".32" stroke-linecap="round"/>',  # an exclamation
    }
)
_DASHES: Mapping[LineStyle, str] = MappingProxyType({"solid": "", "dashed": "7 4"})
_EXPECTED_DASHES, _BOUND_DASHES = "7 4", "2 3"

# 11 px at 310 px wide; see the module docstring.
_TEXT_PER_WIDTH = 11 / 310
# A generous average advance of a system sans-serif, in ems: labels are measured with it, and
# over-estimating only leaves a little more room.
_CHAR_EM = 0.6
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
# Characters XML 1.0 forbids even when escaped; a stray one would make the page's SVG invalid.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_NICE_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 10**12)


def line_chart(
    *,
    title: str,
    description: str,
    series: Sequence[Series],
    y_min: float,
    y_max: float,
    x_label: str = "Session",
    y_label: str = "",
    y_ticks: Sequence[float] | None = None,
    bands: Sequence[Band] = (),
    expected: Series | None = None,
    bound: Series | None = None,
    markers: Sequence[Marker] = (),
    marker_names: Mapping[MarkerKind, str] = MARKER_NAMES,
    empty_text: str = "No scores yet",
    id_prefix: str | None = None,
    width: int = 480,
    plot_height: int = 200,
) -> str:
    """An accessible SVG line chart of scores by session, as a string ready for ``|safe``.

    ``title`` and ``description`` are the chart's accessible name and description. ``y_ticks``
    replaces the automatic numbering (an alliance total of 7-35 reads best as 7, 14, ... 35, the
    item means 1 to 5). ``bound`` is the expected course's tolerance bound: a dotted line, and
    the area between it and ``expected`` shaded. ``width`` and ``plot_height`` are viewBox units:
    the chart scales to its container and its full height follows from the rows of text,
    markers and legend it needs. Values outside [y_min, y_max] are drawn at the nearest limit;
    their tooltips keep the true value.
    """
    if not y_max > y_min:
        raise ValueError(f"y_max ({y_max}) must be above y_min ({y_min})")
    prefix = _safe_id(id_prefix) if id_prefix else _derived_id(locals())
    chart = _Chart(
        prefix=prefix,
        series=series,
        y_min=y_min,
        y_max=y_max,
        bands=sorted(bands, key=lambda band: band.low),
        expected=expected,
        bound=bound,
        markers=markers,
        names=marker_names,
        x_label=x_label,
        y_label=y_label,
        fixed_ticks=y_ticks,
        width=width,
        plot_height=plot_height,
    )
    body = [
        f'<title id="{prefix}-title">{_text(title)}</title>',
        f'<desc id="{prefix}-desc">{_text(description)}</desc>',
        chart.defs(),
        *chart.background(),
        *chart.axes(),
        *chart.reference_lines(),
        *chart.marker_rows(),
        *chart.data_lines(),
        *chart.legend(),
    ]
    if not chart.has_data:
        body.append(
            f'<text class="chart__empty" x="{_n((chart.left + chart.right) / 2)}" '
            f'y="{_n((chart.top + chart.bottom) / 2)}" text-anchor="middle" fill="{MUTED}">'
            f"{_text(empty_text)}</text>"
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" '
        f'viewBox="0 0 {width} {_n(chart.height)}" font-family="{_FONT}" '
        f'font-size="{_n(chart.fs)}">' + "".join(body) + "</svg>"
    )


def describe(series: Series, *, unit: str = "") -> str:
    """One sentence on a series for a chart's description: how many sessions, first, last,
    lowest and highest. ``unit`` follows the first and last numbers ("points")."""
    known = [point for run in _stretches(series.points) for point in run]
    unit = f" {unit}" if unit else ""
    if not known:
        return f"{series.label}: no scores yet."
    (first_x, first), (last_x, last) = known[0], known[-1]
    if len(known) == 1:
        return f"{series.label}: {_v(first)}{unit} at session {first_x}."
    values = [value for _, value in known]
    return (
        f"{series.label}: {len(known)} sessions, from {_v(first)}{unit} at session {first_x} "
        f"to {_v(last)}{unit} at session {last_x}; lowest {_v(min(values))}, "
        f"highest {_v(max(values))}."
    )


@dataclass
class _Chart:
    """The geometry of one chart, and the SVG of each layer, back to front."""

    prefix: str
    series: Sequence[Series]
    y_min: float
    y_max: float
    bands: Sequence[Band]
    expected: Series | None
    bound: Series | None
    markers: Sequence[Marker]
    names: Mapping[MarkerKind, str]
    x_label: str
    y_label: str
    fixed_ticks: Sequence[float] | None
    width: int
    plot_height: int

    def __post_init__(self) -> None:
        # Rounded up, so that the rounded size written out still meets the 11 px.
        fs = self.fs = math.ceil(self.width * _TEXT_PER_WIDTH * 10) / 10
        lines = [*self.series, *(s for s in (self.expected, self.bound) if s is not None)]
        xs = [x for line in lines for x, _ in line.points] + [m.x for m in self.markers]
        self.x_first, self.x_last = (min(xs), max(xs)) if xs else (1, 1)
        self.has_data = any(_finite(v) is not None for s in self.series for _, v in s.points)

        self.y_ticks = self._y_tick_values()
        self.left = fs * 0.9 + _width(max(len(_v(tick)) for tick in self.y_ticks), fs)
        self.band_lines = self._wrapped_band_labels()
        gutter = max(
            (_width(len(line), fs) for lines in self.band_lines for line in lines), default=0
        )
        # Without bands, keep room for half of the last session's number past the plot.
        self.right = self.width - fs * 0.4 - (gutter + fs * 0.5 if gutter else fs * 0.7)
        self.step = (self.right - self.left) / (self.x_last - self.x_first + 1)

        present = {marker.kind for marker in self.markers}
        self.marker_kinds = [kind for kind in _MARKER_ORDER if kind in present]
        self.lanes_top = fs * (2 if self.y_label else 0.4)
        self.lane_height = fs * 1.25
        # Room below the marker rows (or the y label) for the top tick's number to stand clear.
        self.top = self.lanes_top + len(self.marker_kinds) * self.lane_height + fs * 0.7
        self.bottom = self.top + self.plot_height
        self.legend_top = self.bottom + fs * (3.2 if self.x_label else 1.9)
        self.legend_rows = self._legend_layout()
        self.height = self.legend_top + len(self.legend_rows) * fs * 1.5 + fs * 0.3

    # Scales and ticks ----------------------------------------------------------------------

    def sx(self, x: float) -> float:
        # Each session owns an equal slot and sits in its middle: one session is centred, and no
        # point lands on the axis line.
        return self.left + (x - self.x_first + 0.5) * self.step

    def sy(self, value: float) -> float:
        value = min(max(value, self.y_min), self.y_max)
        share = (value - self.y_min) / (self.y_max - self.y_min)
        return self.bottom - share * self.plot_height

    def _y_tick_values(self) -> list[float]:
        # With bands, number each band's start so numbers and stripes agree (0, 5, 10, 15, 20);
        # otherwise even steps far enough apart to read. The limits are added when there is room:
        # they say what the scale is.
        span, room = self.y_max - self.y_min, self.fs * 1.4
        if self.fixed_ticks is not None:
            regular = list(self.fixed_ticks)
        elif self.bands:
            regular = [band.low for band in self.bands]
        else:
            step = next(
                (s for s in _NICE_STEPS if s / span * self.plot_height >= self.fs * 1.8), span
            )
            first = math.ceil(self.y_min / step) * step
            regular = [first + i * step for i in range(int((self.y_max - first) // step) + 1)]
        kept: list[float] = []
        for value in [*regular, self.y_min, self.y_max]:
            near = (abs(value - k) / span * self.plot_height < room for k in kept)
            if self.y_min <= value <= self.y_max and not any(near):
                kept.append(value)
        return sorted(kept)

    def _x_tick_values(self) -> list[int]:
        digits = max(len(str(self.x_first)), len(str(self.x_last)))
        room = _width(digits, self.fs) + self.fs * 0.8
        every = next((s for s in _NICE_STEPS if s * self.step >= room), _NICE_STEPS[-1])
        ticks = [x for x in range(self.x_first, self.x_last + 1) if x % every == 0]
        if not ticks or (ticks[0] - self.x_first) * self.step >= room:
            ticks.insert(0, self.x_first)
        return ticks

    def _band_edges(self) -> list[tuple[float, float]]:
        # Neighbouring bands meet halfway between one's top and the next's bottom (4.5 between
        # Minimal 0-4 and Mild 5-9), so no whole score sits on a boundary.
        edges, bands = [], self.bands
        for i, band in enumerate(bands):
            low, high = band.low, band.high
            if i > 0 and 0 < low - bands[i - 1].high <= 1:
                low = (low + bands[i - 1].high) / 2
            if i + 1 < len(bands) and 0 < bands[i + 1].low - high <= 1:
                high = (high + bands[i + 1].low) / 2
            edges.append((max(low, self.y_min), min(high, self.y_max)))
        return edges

    def _wrapped_band_labels(self) -> list[list[str]]:
        # Labels sit in a gutter right of the plot. Long ones wrap onto two lines rather than
        # widen the gutter: "Moderately severe" would otherwise take a third of a phone.
        longest_word = max((len(w) for band in self.bands for w in band.label.split()), default=0)
        longest = max((len(band.label) for band in self.bands), default=0)
        limit = max(longest_word, min(longest, int(self.width * 0.2 / _width(1, self.fs))))
        wrapped = []
        for band in self.bands:
            lines: list[str] = []
            for word in band.label.split():
                if lines and len(lines[-1]) + 1 + len(word) <= limit:
                    lines[-1] += " " + word
                else:
                    lines.append(word)
            wrapped.append(lines)
        return wrapped

    # Layers ---------------------------------------------------------------------------------

    def defs(self) -> str:
        r, m = self.point_radius(), self.fs * 0.42
        points = (
            f'<g id="{self.prefix}-pt-{i}" transform="scale({_n(r, 2)})">{shape}</g>'
            for i, shape in enumerate(_POINT_SHAPES)
        )
        markers = (
            f'<g id="{self.prefix}-mk-{kind}" transform="scale({_n(m, 2)})">{shape}</g>'
            for kind, shape in _MARKER_SHAPES.items()
        )
        return f"<defs>{''.join(points)}{''.join(markers)}</defs>"

    def point_radius(self) -> float:
        # Points shrink as sessions crowd together, so 60 sessions stay a line, not a smear.
        return max(self.fs * 0.12, min(self.fs * 0.27, self.step * 0.3))

    def background(self) -> list[str]:
        width = _n(self.right - self.left)
        out = [
            f'<rect class="chart__plot" x="{_n(self.left)}" y="{_n(self.top)}" width="{width}" '
            f'height="{_n(self.plot_height)}" fill="{_WHITE}"/>'
        ]
        gap = self.fs * 1.05
        edges = zip(self._band_edges(), self.bands, self.band_lines, strict=True)
        for i, ((low, high), band, lines) in enumerate(edges):
            if high <= low:
                continue
            top, bottom = self.sy(high), self.sy(low)
            # Every other band is tinted and each has a hairline edge: faint enough to stay
            # behind the data, and the edges survive a printer that drops the tints.
            out.append(
                f'<rect class="chart__band" x="{_n(self.left)}" y="{_n(top)}" width="{width}" '
                f'height="{_n(bottom - top)}" fill="{_BAND_FILL if i % 2 == 0 else _WHITE}" '
                f'stroke="{_BAND_EDGE}" stroke-width="1"><title>{_text(band.label)}: '
                f"{_v(band.low)} to {_v(band.high)}</title></rect>"
            )
            first = (top + bottom - (len(lines) - 1) * gap) / 2 + self.fs * 0.35
            spans = "".join(
                f'<tspan x="{_n(self.right + self.fs * 0.5)}" y="{_n(first + n * gap)}">'
                f"{_text(line)}</tspan>"
                for n, line in enumerate(lines)
            )
            out.append(f'<text class="chart__band-label" fill="{MUTED}">{spans}</text>')
        return out

    def axes(self) -> list[str]:
        fs, out = self.fs, []
        for tick in self.y_ticks:
            y = self.sy(tick)
            if not self.bands:
                out.append(
                    f'<path class="chart__grid" d="M{_n(self.left)} {_n(y)}H{_n(self.right)}" '
                    f'stroke="{_GRID}" stroke-width="1"/>'
                )
            out.append(
                f'<text class="chart__tick" x="{_n(self.left - fs * 0.5)}" '
                f'y="{_n(y + fs * 0.35)}" text-anchor="end" fill="{MUTED}">{_v(tick)}</text>'
            )
        for x in self._x_tick_values():
            out.append(
                f'<path d="M{_n(self.sx(x))} {_n(self.bottom)}v{_n(fs * 0.3)}" stroke="{MUTED}" '
                f'stroke-width="1"/><text class="chart__tick" x="{_n(self.sx(x))}" '
                f'y="{_n(self.bottom + fs * 1.35)}" text-anchor="middle" fill="{MUTED}">{x}</text>'
            )
        out.append(
            f'<path class="chart__axis" d="M{_n(self.left)} {_n(self.top)}V{_n(self.bottom)}'
            f'H{_n(self.right)}" fill="none" stroke="{MUTED}" stroke-width="1"/>'
        )
        if self.x_label:
            out.append(
                f'<text class="chart__axis-label" x="{_n((self.left + self.right) / 2)}" '
                f'y="{_n(self.bottom + fs * 2.75)}" text-anchor="middle" fill="{MUTED}">'
                f"{_text(self.x_label)}</text>"
            )
        if self.y_label:
            out.append(
                f'<text class="chart__axis-label" x="{_n(fs * 0.4)}" y="{_n(fs * 1.4)}" '
                f'fill="{INK}" font-weight="600">{_text(self.y_label)}</text>'
            )
        return out

    def reference_lines(self) -> list[str]:
        out = []
        if self.expected is not None and self.bound is not None:
            # Shade between the expected course and its bound where both are known: the room a
            # score has before it counts as not on track.
            edge = {x: _finite(value) for x, value in self.bound.points}
            paired = [(x, v if edge.get(x) is not None else None) for x, v in self.expected.points]
            for run in (run for run in _stretches(paired) if len(run) > 1):
                ahead = run + [(x, edge[x] or 0) for x, _ in reversed(run)]
                d = "M" + "L".join(f"{_n(self.sx(x))} {_n(self.sy(v))}" for x, v in ahead)
                out.append(
                    f'<path class="chart__tolerance" d="{d}Z" fill="{MUTED}" fill-opacity="0.1"/>'
                )
        if self.bound is not None:
            out.append(self._line(self.bound, "chart__bound", MUTED, 1.5, _BOUND_DASHES))
        if self.expected is not None:
            out.append(self._line(self.expected, "chart__expected", MUTED, 2, _EXPECTED_DASHES))
        return out

    def marker_rows(self) -> list[str]:
        out = []
        guides = sorted({m.x for m in self.markers if m.kind != "repair"})
        if guides:
            # Faint guides carry a warning down to the scores it is about.
            d = "".join(f"M{_n(self.sx(x))} {_n(self.top)}V{_n(self.bottom)}" for x in guides)
            out.append(
                f'<path class="chart__guide" d="{d}" stroke="{_DANGER}" stroke-opacity="0.35" '
                'stroke-width="1" stroke-dasharray="2 3"/>'
            )
        for row, kind in enumerate(self.marker_kinds):
            y = self.lanes_top + (row + 0.5) * self.lane_height
            for marker in (m for m in self.markers if m.kind == kind):
                out.append(
                    f'<use class="chart__marker chart__marker--{kind}" '
                    f'href="#{self.prefix}-mk-{kind}" x="{_n(self.sx(marker.x))}" y="{_n(y)}" '
                    f'fill="{MARKER_COLOURS[kind]}"><title>{_text(self.names.get(kind, kind))}, '
                    f"session {marker.x}: {_text(marker.label)}</title></use>"
                )
        return out

    def data_lines(self) -> list[str]:
        out = []
        for i, line in enumerate(self.series):
            colour, shape = _look(i)
            out.append(self._line(line, "chart__line", colour, 2.5, _DASHES[line.style]))
            for x, value in (point for run in _stretches(line.points) for point in run):
                out.append(
                    f'<use class="chart__point" href="#{self.prefix}-pt-{shape}" '
                    f'x="{_n(self.sx(x))}" y="{_n(self.sy(value))}" fill="{colour}"><title>'
                    f"{_text(line.label)}, session {x}: {_v(value)}</title></use>"
                )
        return out

    def _line(self, line: Series, css: str, colour: str, stroke: float, dashes: str) -> str:
        d = "".join(
            "M" + "L".join(f"{_n(self.sx(x))} {_n(self.sy(v))}" for x, v in run)
            for run in _stretches(line.points)
            if len(run) > 1
        )
        return f'<path class="{css}" d="{d}" {_stroke(colour, stroke, dashes)}/>' if d else ""

    def _legend_entries(self) -> list[tuple[str, float, str]]:
        """(sample drawn around 0,0, its width in ems, label) for each thing that needs a key."""
        half = self.fs * 1.1
        rule = f'<path d="M{_n(-half)} 0H{_n(half)}" '
        entries = []
        for i, line in enumerate(self.series):
            colour, shape = _look(i)
            sample = f"{rule}{_stroke(colour, 2.5, _DASHES[line.style])}/>"
            point = f'<use href="#{self.prefix}-pt-{shape}" fill="{colour}"/>'
            entries.append((sample + point, 2.2, line.label))
        if self.expected is not None:
            sample = f"{rule}{_stroke(MUTED, 2, _EXPECTED_DASHES)}/>"
            entries.append((sample, 2.2, self.expected.label))
        if self.bound is not None:
            shade = (
                f'<rect x="{_n(-half)}" y="{_n(-half / 2)}" width="{_n(half * 2)}" '
                f'height="{_n(half / 2)}" fill="{MUTED}" fill-opacity="0.1"/>'
            )
            sample = f"{rule}{_stroke(MUTED, 1.5, _BOUND_DASHES)}/>"
            entries.append(((shade if self.expected else "") + sample, 2.2, self.bound.label))
        for kind in self.marker_kinds:
            sample = f'<use href="#{self.prefix}-mk-{kind}" fill="{MARKER_COLOURS[kind]}"/>'
            entries.append((sample, 0.9, self.names.get(kind, kind)))
        return entries

    def _legend_layout(self) -> list[list[tuple[float, str, float, str]]]:
        # Rows of (x, sample, sample width, label), wrapping like words so a phone gets more rows.
        fs, x = self.fs, self.fs * 0.4
        rows: list[list[tuple[float, str, float, str]]] = [[]]
        entries = self._legend_entries()
        if len(entries) == 1 and self.y_label:
            return []  # One line alone: the y label already says what it is.
        for sample, ems, label in entries:
            span = fs * (ems + 0.4) + _width(len(label), fs)
            if rows[-1] and x + span > self.width - fs * 0.4:
                rows.append([])
                x = fs * 0.4
            rows[-1].append((x, sample, ems * fs, label))
            x += span + fs * 1.2
        return [row for row in rows if row]

    def legend(self) -> list[str]:
        fs, out = self.fs, ['<g class="chart__legend">']
        for number, row in enumerate(self.legend_rows):
            y = self.legend_top + (number + 0.5) * fs * 1.5
            for x, sample, sample_width, label in row:
                out.append(
                    f'<g transform="translate({_n(x + sample_width / 2)} {_n(y)})">{sample}</g>'
                    f'<text x="{_n(x + sample_width + fs * 0.4)}" y="{_n(y + fs * 0.35)}" '
                    f'fill="{INK}">{_text(label)}</text>'
                )
        return [*out, "</g>"] if len(out) > 1 else []


def _stretches(points: Points) -> list[list[tuple[int, float]]]:
    """Runs of known values in session order: a None, or a value that is not a finite number,
    ends one run. A gap in the line says "asked, not answered", never "unchanged"."""
    runs: list[list[tuple[int, float]]] = [[]]
    for x, value in sorted(points, key=lambda point: point[0]):
        known = _finite(value)
        if known is not None:
            runs[-1].append((x, known))
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def _look(index: int) -> tuple[str, int]:
    """The colour and point shape of the index-th series."""
    return SERIES_COLOURS[index % len(SERIES_COLOURS)], index % len(_POINT_SHAPES)


def _stroke(colour: str, width: float, dashes: str) -> str:
    dash = f' stroke-dasharray="{dashes}"' if dashes else ""
    return (
        f'fill="none" stroke="{colour}" stroke-width="{_n(width)}" stroke-linejoin="round" '
        f'stroke-linecap="round"{dash}'
    )


def _width(characters: int, fs: float) -> float:
    return characters * _CHAR_EM * fs


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _n(value: float, digits: int = 1) -> str:
    """A coordinate: one decimal is finer than a pixel at any size the chart is shown (a scale
    factor multiplies its rounding error, so it gets two)."""
    rounded = round(value, digits)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.{digits}f}"


def _v(value: float) -> str:
    """A score as a person reads it: 12, 12.5, not 12.0."""
    return str(int(value)) if value == int(value) else f"{value:.10g}"


def _text(value: str) -> str:
    return escape(_XML_INVALID.sub("", value), quote=True)


def _safe_id(raw: str) -> str:
    cleaned = _ID_UNSAFE.sub("-", raw)
    return cleaned if cleaned[:1].isalpha() else f"chart-{cleaned}"


def _derived_id(arguments: Mapping[str, object]) -> str:
    # Same arguments, same id, so output stays deterministic. Two different charts on one page
    # get different ids; two identical ones would share them, and with them the same text.
    digest = hashlib.sha256(repr(sorted(arguments.items())).encode()).hexdigest()
    return f"chart-{digest[:10]}"
