import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance.lib.avatar import contrast_ratio
from alliance.lib.charts import (
    INK,
    MARKER_COLOURS,
    MARKER_NAMES,
    MUTED,
    SERIES_COLOURS,
    Band,
    Marker,
    Series,
    describe,
    line_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
# Coordinates are written to one decimal, and a comparison may add two roundings.
ROUNDING = 0.11
PHQ9_BANDS = [
    Band(0, 4, "Minimal"),
    Band(5, 9, "Mild"),
    Band(10, 14, "Moderate"),
    Band(15, 19, "Moderately severe"),
    Band(20, 27, "Severe"),
]


def chart(points: Sequence[tuple[int, float | None]] = ((1, 10), (2, 12)), **kwargs: object) -> str:
    arguments: dict[str, object] = {
        "title": "PHQ-9",
        "description": "Scores by session",
        "series": [Series("Client", points)],
        "y_min": 0,
        "y_max": 27,
        "id_prefix": "test",
    }
    arguments.update(kwargs)
    return line_chart(**arguments)  # type: ignore[arg-type]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output, not untrusted input)


def plot_area(root: ET.Element) -> tuple[float, float, float, float]:
    """left, top, right, bottom of the plot."""
    rect = find(root, "rect", "chart__plot")[0]
    left, top = float(rect.get("x", "")), float(rect.get("y", ""))
    return left, top, left + float(rect.get("width", "")), top + float(rect.get("height", ""))


def find(root: ET.Element, tag: str, css: str) -> list[ET.Element]:
    return [e for e in root.iter(SVG + tag) if css in (e.get("class") or "").split()]


def points(root: ET.Element) -> list[tuple[float, float, str]]:
    return [
        (float(e.get("x", "")), float(e.get("y", "")), e.findtext(SVG + "title") or "")
        for e in find(root, "use", "chart__point")
    ]


def texts(root: ET.Element) -> list[str]:
    return ["".join(e.itertext()) for e in root.iter(SVG + "text")]


def test_it_is_an_image_named_by_its_own_title_and_description() -> None:
    root = parse(chart(title="PHQ-9 by session", description="From 19 to 9 over 12 sessions"))
    assert root.get("role") == "img"
    title, desc = root.find(SVG + "title"), root.find(SVG + "desc")
    assert title is not None
    assert desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "PHQ-9 by session"
    assert desc.text == "From 19 to 9 over 12 sessions"


def test_it_scales_to_its_container_and_uses_no_inline_styles() -> None:
    svg = chart()
    root = parse(svg)
    assert re.fullmatch(r"0 0 480 [\d.]+", root.get("viewBox", ""))
    assert root.get("width") is None
    assert root.get("height") is None
    # The Content-Security-Policy forbids inline styles: colours must be attributes.
    assert all(element.get("style") is None for element in root.iter())
    assert "<style" not in svg


def test_its_text_stays_legible_on_a_phone() -> None:
    for width in (360, 480, 640):
        root = parse(chart(width=width))
        viewbox_width = float(root.get("viewBox", "").split()[2])
        # Drawn 310 px wide, the text is at least 11 px.
        assert float(root.get("font-size", "")) * 310 / viewbox_width >= 11


def test_it_puts_the_highest_score_at_the_top_and_the_lowest_at_the_bottom() -> None:
    root = parse(chart([(1, 27), (2, 0), (3, 13.5)]))
    left, top, right, bottom = plot_area(root)
    (x1, y1, _), (x2, y2, _), (x3, y3, _) = points(root)
    assert y1 == pytest.approx(top, abs=ROUNDING)
    assert y2 == pytest.approx(bottom, abs=ROUNDING)
    assert y3 == pytest.approx((top + bottom) / 2, abs=ROUNDING)
    assert left < x1 < x2 < x3 < right
    assert x2 - x1 == pytest.approx(x3 - x2, abs=ROUNDING)


def test_it_centres_a_single_session() -> None:
    root = parse(chart([(1, 21)], y_max=21))
    left, top, right, _ = plot_area(root)
    ((x, y, tooltip),) = points(root)
    assert x == pytest.approx((left + right) / 2, abs=ROUNDING)
    assert y == pytest.approx(top, abs=ROUNDING)
    assert tooltip == "Client, session 1: 21"


def test_a_missing_score_leaves_a_gap_in_the_line() -> None:
    root = parse(chart([(1, 10), (2, 12), (3, None), (4, 11), (5, 9)]))
    (line,) = find(root, "path", "chart__line")
    assert line.get("d", "").count("M") == 2
    assert [tooltip for _, _, tooltip in points(root)] == [
        "Client, session 1: 10",
        "Client, session 2: 12",
        "Client, session 4: 11",
        "Client, session 5: 9",
    ]


def test_a_measure_taken_every_few_sessions_stays_one_line() -> None:
    root = parse(chart([(1, 12), (4, 14), (8, 17), (12, 21)], y_max=30))
    (line,) = find(root, "path", "chart__line")
    assert line.get("d", "").count("M") == 1


def test_a_lone_score_between_gaps_is_still_shown_as_a_point() -> None:
    root = parse(chart([(1, None), (2, 12), (3, None)]))
    assert find(root, "path", "chart__line") == []
    assert len(points(root)) == 1


def test_a_series_with_no_scores_says_so() -> None:
    root = parse(chart([(1, None), (2, None)]))
    assert find(root, "path", "chart__line") == []
    assert points(root) == []
    assert "No scores yet" in texts(root)


def test_values_beyond_the_limits_are_drawn_at_the_limit_and_keep_their_value() -> None:
    root = parse(chart([(1, 40), (2, -3)]))
    _, top, _, bottom = plot_area(root)
    (_, y1, tip1), (_, y2, tip2) = points(root)
    assert y1 == pytest.approx(top, abs=ROUNDING)
    assert y2 == pytest.approx(bottom, abs=ROUNDING)
    assert (tip1, tip2) == ("Client, session 1: 40", "Client, session 2: -3")


def test_it_draws_severity_bands_with_their_labels() -> None:
    root = parse(chart(bands=PHQ9_BANDS))
    bands = find(root, "rect", "chart__band")
    assert [b.findtext(SVG + "title") for b in bands] == [
        "Minimal: 0 to 4",
        "Mild: 5 to 9",
        "Moderate: 10 to 14",
        "Moderately severe: 15 to 19",
        "Severe: 20 to 27",
    ]
    labels = [
        [t.text for t in e.iter(SVG + "tspan")] for e in find(root, "text", "chart__band-label")
    ]
    assert labels == [["Minimal"], ["Mild"], ["Moderate"], ["Moderately", "severe"], ["Severe"]]
    # Minimal 0-4 and Mild 5-9 meet at 4.5, so a score of 5 sits inside Mild, not on its edge.
    _, top, _, bottom = plot_area(root)
    minimal_top = float(bands[0].get("y", ""))
    assert minimal_top == pytest.approx(bottom - 4.5 / 27 * (bottom - top), abs=ROUNDING)
    # The band labels sit to the right of the plot, and the numbers are the bands' starts.
    _, _, right, _ = plot_area(root)
    assert all(float(t.get("x", "")) > right for t in root.iter(SVG + "tspan"))
    assert [t.text for t in find(root, "text", "chart__tick")][:6] == [
        "0",
        "5",
        "10",
        "15",
        "20",
        "27",
    ]


def test_it_shows_the_expected_course_dashed_and_its_bound_dotted_over_a_shaded_area() -> None:
    expected = Series("Expected course", [(1, 19), (2, 16), (3, 14)])
    bound = Series("Tolerance bound", [(1, 23), (2, 20), (3, None)])
    root = parse(chart(expected=expected, bound=bound))
    (course,) = find(root, "path", "chart__expected")
    (edge,) = find(root, "path", "chart__bound")
    assert course.get("stroke-dasharray")
    assert edge.get("stroke-dasharray")
    assert course.get("stroke-dasharray") != edge.get("stroke-dasharray")
    # Shaded only where both are known: sessions 1 and 2.
    (area,) = find(root, "path", "chart__tolerance")
    assert area.get("d", "").count("L") == 3
    assert {"Expected course", "Tolerance bound"} <= set(texts(root))


def test_a_chart_without_a_bound_draws_neither_bound_nor_shading() -> None:
    root = parse(chart(expected=Series("Expected course", [(1, 19), (2, 16)])))
    assert find(root, "path", "chart__bound") == find(root, "path", "chart__tolerance") == []


def test_two_lines_differ_without_colour() -> None:
    root = parse(
        chart(
            series=[
                Series("Client", [(1, 30), (2, 31)]),
                Series("Therapist", [(1, 24), (2, 25)], "dashed"),
            ],
            y_min=7,
            y_max=35,
        )
    )
    client, therapist = find(root, "path", "chart__line")
    assert client.get("stroke-dasharray") is None
    assert therapist.get("stroke-dasharray")
    shapes = [e.get("href") for e in find(root, "use", "chart__point")]
    assert shapes[0] == shapes[1] != shapes[2] == shapes[3]
    assert {"Client", "Therapist"} <= set(texts(root))


def test_it_marks_sessions_with_a_shape_and_a_tooltip_for_each_kind() -> None:
    markers = [
        Marker(4, "rupture", "fell 19%"),
        Marker(4, "tension", "client reported tension"),
        Marker(6, "repair", "back to 32"),
        Marker(5, "not_on_track", "17 is above the bound"),
        Marker(3, "risk", "item 9 answered 1"),
    ]
    root = parse(chart([(s, 10) for s in range(1, 7)], markers=markers))
    for marker in markers:
        (use,) = find(root, "use", f"chart__marker--{marker.kind}")
        assert use.get("href") == f"#test-mk-{marker.kind}"
        assert use.findtext(SVG + "title") == (
            f"{MARKER_NAMES[marker.kind]}, session {marker.x}: {marker.label}"
        )
        # In line with the session's points, above the plot.
        _, top, _, _ = plot_area(root)
        assert float(use.get("y", "")) < top
    assert {e.get("href") for e in find(root, "use", "chart__marker")} == {
        f"#test-mk-{kind}" for kind in MARKER_NAMES
    }
    assert set(MARKER_NAMES.values()) <= set(texts(root))


def test_a_marker_lines_up_with_its_session() -> None:
    root = parse(chart([(1, 10), (2, 12), (3, 11)], markers=[Marker(2, "rupture", "fell")]))
    (marker,) = find(root, "use", "chart__marker")
    assert float(marker.get("x", "")) == points(root)[1][0]


def test_every_reference_points_at_a_shape_the_chart_defines() -> None:
    root = parse(chart(markers=[Marker(1, "repair", "ok")], bands=PHQ9_BANDS))
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    assert all(str(i).startswith("test-") for i in ids)
    assert {str(e.get("href"))[1:] for e in root.iter(SVG + "use")} <= ids


def test_it_escapes_every_text() -> None:
    evil = '<script>alert("x")</script> & co'
    svg = line_chart(
        title=evil,
        description=evil,
        series=[Series(evil, [(1, 3)])],
        y_min=0,
        y_max=27,
        x_label=evil,
        y_label=evil,
        bands=[Band(0, 27, evil)],
        expected=Series(evil, [(1, 2), (2, 1)]),
        markers=[Marker(1, "rupture", evil)],
        marker_names={"rupture": evil},
        id_prefix='"><script>',
    )
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)
    assert root.findtext(SVG + "title") == evil
    assert root.findtext(SVG + "desc") == evil
    assert evil in texts(root)
    assert all(
        re.fullmatch(r"[A-Za-z][\w-]*", str(e.get("id"))) for e in root.iter() if e.get("id")
    )


def test_it_drops_characters_xml_cannot_hold() -> None:
    root = parse(chart(title="PHQ\x00-9\x1b"))
    assert root.findtext(SVG + "title") == "PHQ-9"


def test_its_output_is_deterministic() -> None:
    first = chart(id_prefix=None, bands=PHQ9_BANDS, markers=[Marker(2, "risk", "item 9")])
    again = chart(id_prefix=None, bands=PHQ9_BANDS, markers=[Marker(2, "risk", "item 9")])
    other = chart(id_prefix=None, title="GAD-7")
    assert first == again
    assert parse(first).get("aria-labelledby") != parse(other).get("aria-labelledby")


def test_it_thins_the_session_numbers_of_a_long_course() -> None:
    root = parse(chart([(s, (s * 7) % 28) for s in range(1, 61)], bands=PHQ9_BANDS))
    assert len(points(root)) == 60
    session_numbers = [
        t.text for t in find(root, "text", "chart__tick") if t.get("text-anchor") == "middle"
    ]
    assert session_numbers[0] == "1"
    assert session_numbers[-1] == "60"
    assert 4 <= len(session_numbers) <= 10
    left, _, right, _ = plot_area(root)
    assert all(left < x < right for x, _, _ in points(root))


def test_it_numbers_the_y_axis_as_asked() -> None:
    root = parse(chart(y_min=7, y_max=35, y_ticks=[7, 14, 21, 28, 35]))
    numbers = [t.text for t in find(root, "text", "chart__tick") if t.get("text-anchor") == "end"]
    assert numbers == ["7", "14", "21", "28", "35"]


def test_it_numbers_a_plain_scale_in_even_steps_with_its_limits() -> None:
    root = parse(chart(y_min=0, y_max=30))
    numbers = [t.text for t in find(root, "text", "chart__tick") if t.get("text-anchor") == "end"]
    assert numbers[0] == "0"
    assert numbers[-1] == "30"
    steps = {int(b or "") - int(a or "") for a, b in itertools.pairwise(numbers)}
    assert len(steps) == 1


def test_it_refuses_an_empty_range() -> None:
    with pytest.raises(ValueError, match="must be above"):
        chart(y_min=10, y_max=10)


def test_its_colours_meet_wcag_contrast_on_white() -> None:
    for colour in (*SERIES_COLOURS, *MARKER_COLOURS.values()):
        assert contrast_ratio(colour, "#ffffff") >= 3, colour
    for colour in (INK, MUTED):
        assert contrast_ratio(colour, "#ffffff") >= 4.5, colour


def test_describe_sums_up_a_series_in_a_sentence() -> None:
    series = Series("PHQ-9", [(1, 19), (2, None), (3, 14), (4, 9.5)])
    assert describe(series, unit="points") == (
        "PHQ-9: 3 sessions, from 19 points at session 1 to 9.5 points at session 4; "
        "lowest 9.5, highest 19."
    )
    assert describe(Series("RSES", [(1, 12)])) == "RSES: 12 at session 1."
    assert describe(Series("RSES", [(1, None)])) == "RSES: no scores yet."


scores = st.one_of(st.none(), st.integers(0, 27), st.floats(0, 27, allow_nan=False))
sessions = st.lists(st.tuples(st.integers(1, 80), scores), max_size=70)


@settings(max_examples=150, deadline=None)
@given(
    client=sessions,
    therapist=sessions,
    marker_sessions=st.lists(st.integers(1, 80), max_size=6),
    label=st.text(max_size=30),
)
def test_any_scores_in_range_give_well_formed_svg(
    client: list[tuple[int, float | None]],
    therapist: list[tuple[int, float | None]],
    marker_sessions: list[int],
    label: str,
) -> None:
    kinds = list(MARKER_NAMES)
    svg = line_chart(
        title=label,
        description=label,
        series=[Series(label, client), Series("Therapist", therapist, "dashed")],
        y_min=0,
        y_max=27,
        y_label=label,
        bands=PHQ9_BANDS,
        expected=Series("Expected", client),
        bound=Series("Bound", therapist),
        markers=[Marker(x, kinds[x % len(kinds)], label) for x in marker_sessions],
    )
    root = parse(svg)
    assert root.tag == SVG + "svg"
    known = sum(value is not None for _, value in client + therapist)
    assert len(points(root)) == known
