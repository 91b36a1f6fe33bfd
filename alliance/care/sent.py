"""What a refused record held, for the clinician reading its alert: each answer beside its
question, as it was sent and what it reads as (docs/instruments.md, "A risk answer is never
lost")."""

from dataclasses import dataclass
from datetime import datetime

from alliance.care.answers import answer_read, value_shown
from alliance.care.instruments import instruments
from alliance.care.models import RefusedResponse
from alliance.clinical.instruments import Item


@dataclass(frozen=True)
class SentAnswer:
    question: str  # the item's text; the key as sent when it is no question we know
    sent: str  # as it came, in JSON's spelling ("1", true, "often")
    reads_as: str  # the answer's words when it reads as one of the item's answers, else ""


@dataclass(frozen=True)
class Sent:
    source: str
    received_at: datetime
    superseded: bool  # the corrected record has since arrived
    problems: list[str]
    answers: list[SentAnswer]


def refused_shown(records: list[RefusedResponse]) -> list[Sent]:
    items = {item.id: item for found in instruments().values() for item in found.items}
    return [_shown(record, items) for record in records]


def _shown(record: RefusedResponse, items: dict[str, Item]) -> Sent:
    def question(key: object) -> str:
        item = items.get(str(key))
        return item.text if item is not None else str(key)

    sent = record.answers if isinstance(record.answers, dict) else {"": record.answers}
    answers = []
    for key, value in sent.items():
        item, read = items.get(str(key)), answer_read(value)
        words = ""
        if item is not None and isinstance(read, int) and not isinstance(read, bool):
            words = next((o.label for o in item.scale.options if o.value == read), "")
        answers.append(SentAnswer(question(key), value_shown(value), words))
    problems = [
        f"“{question(problem['item'])}”: {problem.get('message', '')}"
        if problem.get("item")
        else str(problem.get("message", ""))
        for problem in record.problems
        if isinstance(problem, dict)
    ]
    return Sent(
        source=record.get_source_display(),
        received_at=record.received_at,
        superseded=record.superseded_by_id is not None,
        problems=problems,
        answers=answers,
    )
