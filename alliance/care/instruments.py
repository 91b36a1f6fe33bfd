"""The practice's instruments: the shipped definitions and those in INSTRUMENTS_DIR.

Loaded once per process. A broken definition stops start-up with the file and field named
(the system check alliance.care.E001), rather than failing at a client's check-in.
"""

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from django.conf import settings

from alliance.clinical.instruments import Instrument, load_instruments
from alliance.clinical.plan import checkin_duration, client_questions

# The order a client's check-in asks them in: the relationship first, while the session is
# fresh, then symptoms, then self-esteem.
CHECKIN_ORDER = ("alliance_client", "phq9", "gad7", "rses")


# What a client sees above each part of the check-in: plain words, not the instruments' names
# (a practice's own instrument shows its short name).
CLIENT_HEADINGS = {
    "alliance_client": "About today's session",
    "phq9": "How you have been feeling",
    "gad7": "Worry and nerves",
    "rses": "How you see yourself",
}


@cache
def instruments() -> dict[str, Instrument]:
    extra = [Path(settings.INSTRUMENTS_DIR)] if settings.INSTRUMENTS_DIR else []
    return load_instruments(extra)


def instrument(code: str) -> Instrument | None:
    return instruments().get(code)


def in_checkin_order(codes: list[str]) -> list[str]:
    rank = {code: position for position, code in enumerate(CHECKIN_ORDER)}
    return sorted(codes, key=lambda code: (rank.get(code, len(rank)), code))


def checkin_takes(codes: Iterable[str]) -> str:
    """How long a check-in asking these instruments takes ("under a minute", "about 3
    minutes"), from the questions they hold."""
    counted = client_questions(instruments())
    return checkin_duration(sum(counted.get(code, 0) for code in codes))


def client_heading(found: Instrument) -> str:
    return CLIENT_HEADINGS.get(found.code, found.short_name)
