"""Twelve months of the demo practice's check-ins, from the documented model (docs/demo-model.md).

The generator (alliance.clinical.synthetic_patterns) is pure and seeded; this loader writes its
episodes as clients, sessions and scored responses in a few bulk inserts, then lets the engine
find what it finds (`signals_recompute_all`), as a practice's own history would. The demo
therapist's caseload holds one client of each pattern the engine flags.
"""

from collections.abc import Sequence
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db import transaction

from alliance.care.instruments import instruments
from alliance.care.models import (
    Alert,
    AlertAction,
    AlertEvent,
    AlertKind,
    AlertState,
    Client,
    Episode,
    PlanItem,
    Response,
    ResponseSource,
    TherapySession,
)
from alliance.care.services import answers_score, response_build
from alliance.care.signals import ALERT_LOOKBACK, signals_recompute_all
from alliance.clinical.plan import DEFAULT_PLAN, client_questions, plan_course
from alliance.clinical.synthetic_patterns import demo_practice_history
from alliance.practice.models import Therapist

SEED = 2026
CLIENTS_PER_THERAPIST = 12
FIRST_NAMES = (
    "Ava", "Ben", "Carmen", "Darius", "Elena", "Farah", "Gabe", "Hana", "Isaac", "Jade", "Kofi",
    "Lena", "Marco", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tess", "Uma", "Victor",
    "Wren", "Yusuf",
)  # fmt: skip
LAST_NAMES = (
    "Abbott", "Baptiste", "Castillo", "Dupont", "Ellis", "Fonseca", "Greer", "Haddad", "Ibarra",
    "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Pereira", "Quint",
)  # fmt: skip


def demo_name(index: int) -> str:
    return f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {LAST_NAMES[index % len(LAST_NAMES)]}"


@transaction.atomic
def demo_history_load(*, therapists: Sequence[Therapist], now: datetime, zone: ZoneInfo) -> int:
    """Load the history once (the first demo name marks it); returns how many episodes."""
    if Client.objects.filter(name=demo_name(0)).exists():
        return 0
    today = now.astimezone(zone).date()
    episodes = demo_practice_history(
        seed=SEED,
        therapists=len(therapists),
        clients_per_therapist=CLIENTS_PER_THERAPIST,
        end=today,
    )
    clients = Client.objects.bulk_create(
        Client(name=demo_name(index), therapist=therapists[episode.therapist_index])
        for index, episode in enumerate(episodes)
    )
    rows = Episode.objects.bulk_create(
        Episode(
            client=client,
            therapist=client.therapist,
            started_on=episode.sessions[0].day,
            ended_on=None if episode.truth.status == "ongoing" else episode.sessions[-1].day,
            created_at=datetime.combine(episode.sessions[0].day, time(9), zone),
        )
        for client, episode in zip(clients, episodes, strict=True)
    )
    PlanItem.objects.bulk_create(
        PlanItem(episode=row, instrument=code, frequency=frequency)
        for row in rows
        for code, frequency in DEFAULT_PLAN
    )
    sessions = TherapySession.objects.bulk_create(
        TherapySession(episode=row, date=session.day)
        for row, episode in zip(rows, episodes, strict=True)
        for session in episode.sessions
    )
    by_key = {(session.episode_id, session.date): session for session in sessions}
    responses = []
    questions = client_questions(instruments())
    for row, client, episode in zip(rows, clients, episodes, strict=True):
        # The model answers everything at every session; the record holds what the default
        # plan asked, as a practice's would.
        days = [synthetic.day for synthetic in episode.sessions]
        asked = plan_course(DEFAULT_PLAN, days=days, questions=questions)
        for synthetic, due in zip(episode.sessions, asked, strict=True):
            stored = by_key[(row.pk, synthetic.day)]
            moment = datetime.combine(synthetic.day, time(18), zone)
            for code, answers in synthetic.answers.items():
                if code not in due:
                    continue
                scored = answers_score(code, answers)
                responses.append(
                    response_build(
                        session=stored,
                        client_id=client.pk,
                        scored=scored,
                        completed_at=moment,
                        source=ResponseSource.CHECKIN
                        if scored.instrument.respondent == "client"
                        else ResponseSource.STAFF,
                    )
                )
    Response.objects.bulk_create(responses, batch_size=500)
    _risk_alerts(responses, today)
    signals_recompute_all(now=now)
    return len(episodes)


def _risk_alerts(responses: Sequence[Response], today: date) -> None:
    """Risk answers raise their alerts as they would have at the time: recent ones are open,
    older ones were reviewed by the therapist, who made a safety plan."""
    for response in responses:
        if "risk" not in response.flags:
            continue
        therapist = response.client.therapist
        assert therapist is not None
        recent = today - response.session.date <= ALERT_LOOKBACK
        alert = Alert.objects.create(
            kind=AlertKind.RISK,
            client=response.client,
            therapist=therapist,
            response=response,
            session=response.session,
            rule="phq9_item9",
            evidence={"phq9_item9": {"phq9_item9": response.answers.get("phq9_9")}},
            source="PHQ-9 item 9: any answer above 0 needs prompt clinical review (domain.md).",
            state=AlertState.OPEN if recent else AlertState.RESOLVED,
            created_at=response.completed_at,
        )
        AlertEvent.objects.create(alert=alert, state=AlertState.OPEN, at=response.completed_at)
        if not recent:
            AlertEvent.objects.create(
                alert=alert,
                state=AlertState.RESOLVED,
                action=AlertAction.SAFETY_PLAN,
                note="Talked it through at the next session; safety plan agreed.",
                by=therapist.user,
                at=response.completed_at,
            )
