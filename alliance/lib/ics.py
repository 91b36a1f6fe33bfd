"""iCalendar (RFC 5545) for appointment invitations and therapists' private feeds.

Times are written in UTC ("...Z"), which every calendar program converts to the reader's own zone;
that needs no VTIMEZONE and cannot disagree with the zone database the reader has.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

PRODID = "-//Alliance//Therapy practice booking//EN"


@dataclass(frozen=True)
class Event:
    uid: str
    start: datetime
    end: datetime
    summary: str
    sequence: int = 0
    location: str = ""
    description: str = ""
    url: str = ""
    cancelled: bool = False
    organizer_email: str = ""
    organizer_name: str = ""
    attendee_email: str = ""


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    """Escape TEXT values (RFC 5545 §3.3.11)."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def param_value(value: str) -> str:
    """A parameter value such as CN (RFC 5545 §3.2): quoted when it holds ":", ";" or ",".

    A DQUOTE cannot appear inside one, so it becomes a single quote, which reads the same and,
    unlike RFC 6868's ^' encoding, every reader shows as it is; line breaks become spaces.
    """
    value = "".join(" " if ord(c) < 32 or ord(c) == 127 else c for c in value).replace('"', "'")
    return f'"{value}"' if any(c in value for c in ":;,") else value


def _fold(line: str) -> str:
    """Fold lines longer than 75 octets (RFC 5545 §3.1), never inside a UTF-8 character."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current, limit = [], b"", 75
    for character in line:
        piece = character.encode()
        if len(current) + len(piece) > limit:
            parts.append(current.decode())
            current, limit = b"", 74  # continuation lines start with a space
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _event_lines(event: Event, stamp: datetime) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{_stamp(stamp)}",
        f"DTSTART:{_stamp(event.start)}",
        f"DTEND:{_stamp(event.end)}",
        f"SEQUENCE:{event.sequence}",
        f"SUMMARY:{_text(event.summary)}",
        f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}",
    ]
    if event.location:
        lines.append(f"LOCATION:{_text(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{_text(event.description)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    if event.organizer_email:
        name = f";CN={param_value(event.organizer_name)}" if event.organizer_name else ""
        lines.append(f"ORGANIZER{name}:mailto:{event.organizer_email}")
    if event.attendee_email:
        lines.append(f"ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:{event.attendee_email}")
    lines.append("END:VEVENT")
    return lines


def calendar(
    events: Iterable[Event], *, method: str | None, stamp: datetime, name: str = ""
) -> str:
    """A VCALENDAR; method "REQUEST" or "CANCEL" for invitations, None for a feed."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    if name:
        lines.append(f"X-WR-CALNAME:{_text(name)}")
    for event in events:
        lines.extend(_event_lines(event, stamp))
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
