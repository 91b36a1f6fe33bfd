"""The client's own progress page: their scores over time in plain words, nothing else.

Reached from the check-in thank-you page by a signed link (like the check-in link: the client's
UUID signed with SECRET_KEY, nothing personal in it), valid for PROGRESS_LINK_DAYS. No alerts,
no therapist ratings: those are for the therapist's brief.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from alliance.accounts.links import SignedLink
from alliance.care.instruments import instrument
from alliance.care.models import Response
from alliance.clients.models import Client
from alliance.lib.charts import Band, Series, describe, line_chart
from alliance.scheduling import format_day

PROGRESS_LINK_DAYS = 30
PROGRESS_LINK = SignedLink[str](
    "alliance.care.progress", max_age=timedelta(days=PROGRESS_LINK_DAYS)
)
# What each measure is about, in the client's words, and which way is better.
MEASURES = (
    ("phq9", "Low mood and interest", "lower means fewer signs of depression"),
    ("gad7", "Worry and nerves", "lower means less anxiety"),
    ("rses", "How you see yourself", "higher means more self-esteem"),
)


def progress_token_make(client: Client) -> str:
    return PROGRESS_LINK.make(str(client.uuid))


def progress_token_read(token: str) -> Client | None:
    client_uuid = PROGRESS_LINK.read(token)
    if client_uuid is None:
        return None
    return Client.objects.filter(uuid=client_uuid).first()


@dataclass(frozen=True)
class Progress:
    title: str
    meaning: str
    sentence: str
    svg: str
    table: list[list[str]]  # the chart's numbers: date, score, in words
    columns: tuple[str, ...] = ("Date", "Score", "In words")


def _sentence(first: tuple[date, int, str], last: tuple[date, int, str]) -> str:
    (first_day, first_total, first_band), (last_day, last_total, last_band) = first, last

    def words(total: int, band: str) -> str:
        return f"{total} ({band.lower()})" if band else str(total)

    opening = f"Your first score was {words(first_total, first_band)}"
    if first_day == last_day:
        return f"{opening}, on {format_day(first_day, long=True)}."
    return (
        f"{opening}, on {format_day(first_day, long=True)}; "
        f"your latest is {words(last_total, last_band)}, on {format_day(last_day, long=True)}."
    )


def client_progress(client: Client) -> list[Progress]:
    rows = (
        Response.objects.filter(client=client, instrument__in=[code for code, _, _ in MEASURES])
        .order_by("session__date")
        .values_list("instrument", "session__date", "total", "band")
    )
    by_code: dict[str, list[tuple[date, int, str]]] = {}
    for code, day, total, band in rows:
        by_code.setdefault(code, []).append((day, total, band))
    shown = []
    for code, title, meaning in MEASURES:
        found = instrument(code)
        points = by_code.get(code)
        if found is None or not points:
            continue
        line = Series(title, [(number, total) for number, (_, total, _) in enumerate(points, 1)])
        shown.append(
            Progress(
                title=title,
                meaning=meaning,
                sentence=_sentence(points[0], points[-1]),
                svg=line_chart(
                    title=title,
                    description=describe(line) + f" {meaning.capitalize()}.",
                    series=[line],
                    y_min=found.min_total,
                    y_max=found.max_total,
                    x_label="Check-in",
                    bands=[Band(b.min, b.max, b.label) for b in found.bands],
                    id_prefix=f"progress-{code}",
                ),
                table=[
                    [format_day(day, year=True), str(total), band or "—"]
                    for day, total, band in points
                ],
            )
        )
    return shown
