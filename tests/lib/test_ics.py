from datetime import UTC, datetime

import pytest

from alliance.lib.ics import Event, calendar, param_value

STAMP = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def unfolded(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("Calm Care", "Calm Care"),
        ("Smith, Jones & Associates", '"Smith, Jones & Associates"'),
        ("Care; Counsel", '"Care; Counsel"'),
        ("Care: Counsel", '"Care: Counsel"'),
        ('The "Calm" Room', "The 'Calm' Room"),
        ('Smith, "Calm": Care', "\"Smith, 'Calm': Care\""),
        ("Line\none", "Line one"),
        ("Back\\slash", "Back\\slash"),
    ],
)
def test_a_parameter_value_is_quoted_not_text_escaped(value: str, written: str) -> None:
    assert param_value(value) == written


def test_the_organizer_name_is_quoted_and_the_summary_text_escaped() -> None:
    event = Event(
        uid="1@alliance",
        start=datetime(2026, 3, 3, 15, 0, tzinfo=UTC),
        end=datetime(2026, 3, 3, 15, 50, tzinfo=UTC),
        summary="Session; with Bo, LCSW",
        location="Video session: https://video.example.org/room?a=1,2",
        url="https://video.example.org/room?a=1,2",
        organizer_email="desk@example.com",
        organizer_name='Smith, Jones & Associates; "Calm": Care',
    )
    lines = unfolded(calendar([event], method="REQUEST", stamp=STAMP))
    assert "ORGANIZER;CN=\"Smith, Jones & Associates; 'Calm': Care\":mailto:desk@example.com" in (
        lines
    )
    assert "SUMMARY:Session\\; with Bo\\, LCSW" in lines
    assert "LOCATION:Video session: https://video.example.org/room?a=1\\,2" in lines
    assert "URL:https://video.example.org/room?a=1,2" in lines


def test_an_event_without_a_link_has_no_url() -> None:
    event = Event(
        uid="1@alliance",
        start=datetime(2026, 3, 3, 15, 0, tzinfo=UTC),
        end=datetime(2026, 3, 3, 15, 50, tzinfo=UTC),
        summary="Session",
    )
    assert not any(
        line.startswith("URL") for line in unfolded(calendar([event], method=None, stamp=STAMP))
    )
