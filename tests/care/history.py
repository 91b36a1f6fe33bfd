"""Build a client's session history through the real services, for the engine's tests."""

from datetime import date, timedelta

from django.utils import timezone

from alliance.care.models import ResponseSource, TherapySession
from alliance.care.services import answers_score, response_record, session_on
from alliance.clients.models import Client
from alliance.practice.models import practice_zone

ALLIANCE_ITEMS = ("heard", "understood", "respected", "safe", "goals", "approach", "overall")


def alliance_answers(prefix: str, total: int, tension: int = 0) -> dict[str, int]:
    """Seven 1-5 items adding up to `total` (7..35), plus the tension question."""
    base, extra = divmod(total, 7)
    values = [base + (1 if index < extra else 0) for index in range(7)]
    answers = {
        f"{prefix}_{item}": value for item, value in zip(ALLIANCE_ITEMS, values, strict=True)
    }
    return answers | {f"{prefix}_tension": tension}


def phq9_answers(total: int, item9: int = 0) -> dict[str, int]:
    remaining = total - item9
    values = []
    for _ in range(8):
        value = min(3, remaining)
        values.append(value)
        remaining -= value
    return {f"phq9_{n}": v for n, v in enumerate(values, start=1)} | {"phq9_9": item9}


def session_with(
    client: Client,
    day: date,
    *,
    alliance: int | None = None,
    tension: int = 0,
    therapist_alliance: int | None = None,
    phq9: int | None = None,
) -> TherapySession:
    assert client.therapist is not None
    session = session_on(client=client, therapist=client.therapist, day=day)
    moment = timezone.now()
    for code, answers in (
        ("alliance_client", alliance_answers("ac", alliance, tension) if alliance else None),
        (
            "alliance_therapist",
            alliance_answers("at", therapist_alliance) if therapist_alliance else None,
        ),
        ("phq9", phq9_answers(phq9) if phq9 is not None else None),
    ):
        if answers is not None:
            response_record(
                session=session,
                scored=answers_score(code, answers),
                completed_at=moment,
                source=ResponseSource.API,
            )
    return session


def practice_today() -> date:
    """Today where the practice is: session dates are the practice's, and near midnight UTC
    its date is not the server's."""
    return timezone.localdate(timezone=practice_zone())


def weekly(today: date, count: int) -> list[date]:
    """`count` weekly session days, the last one today."""
    return [today - timedelta(weeks=count - 1 - week) for week in range(count)]
