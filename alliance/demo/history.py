"""Twelve months of the demo practice's check-ins, from the documented model (docs/demo-model.md).

The generator (alliance.demo.synthetic.patterns) is pure and seeded; this loader writes its
episodes as clients, appointments, sessions and scored responses in a few bulk inserts, then lets
the engine find what it finds (`signals_recompute_all`), as a practice's own history would. The
demo therapist's caseload holds one client of each pattern the engine flags.

Every session was an attended appointment in the therapist's working hours, so the schedule and
the caseload agree; now and then a missed week was a booked session the client did not come to.
"""

import itertools
import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from alliance.booking.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    WorkingHours,
)
from alliance.care.engine.alerts import ALERT_LOOKBACK
from alliance.care.engine.nightly import signals_recompute_all
from alliance.care.instruments import instruments
from alliance.care.models import (
    Alert,
    AlertAction,
    AlertEvent,
    AlertKind,
    AlertState,
    Episode,
    PlanItem,
    Response,
    ResponseSource,
    TherapySession,
)
from alliance.care.services import (
    RISK_ITEM,
    RISK_RULE,
    RISK_SOURCE,
    answers_score,
    item9_evidence,
    response_build,
)
from alliance.clients.models import Client
from alliance.clinical.plan import DEFAULT_PLAN, client_questions, plan_course
from alliance.demo.synthetic.model import SyntheticEpisode
from alliance.demo.synthetic.patterns import demo_practice_history
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


# Of the weeks a client missed, the share that were a booked session they did not come to (the
# rest were holidays, cancelled in good time): about one appointment in fifteen.
NO_SHOW = 0.7


def demo_name(index: int) -> str:
    return f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {LAST_NAMES[index % len(LAST_NAMES)]}"


@transaction.atomic
def demo_history_load(*, therapists: Sequence[Therapist], now: datetime, zone: ZoneInfo) -> int:
    """Load the history once (the first demo name marks it); returns how many episodes."""
    if Client.objects.filter(name=demo_name(0)).exists():
        return 0
    today = now.astimezone(zone).date()
    # Up to yesterday: today's sessions are the schedule's, still to come.
    episodes = demo_practice_history(
        seed=SEED,
        therapists=len(therapists),
        clients_per_therapist=CLIENTS_PER_THERAPIST,
        end=today - timedelta(days=1),
    )
    clients = Client.objects.bulk_create(
        Client(name=demo_name(index), therapist=therapists[episode.therapist_index])
        for index, episode in enumerate(episodes)
    )
    booked = _appointments(episodes, clients, therapists, zone)
    days = [
        [appointment.start.astimezone(zone).date() for appointment in attended]
        for attended in booked
    ]
    rows = Episode.objects.bulk_create(
        Episode(
            client=client,
            therapist=client.therapist,
            started_on=held[0],
            ended_on=None if episode.truth.status == "ongoing" else held[-1],
            created_at=datetime.combine(held[0], time(9), zone),
        )
        for client, episode, held in zip(clients, episodes, days, strict=True)
    )
    PlanItem.objects.bulk_create(
        PlanItem(episode=row, instrument=code, frequency=frequency)
        for row in rows
        for code, frequency in DEFAULT_PLAN
    )
    sessions = TherapySession.objects.bulk_create(
        TherapySession(
            episode=row,
            appointment=appointment,
            date=appointment.start.astimezone(zone).date(),
        )
        for row, attended in zip(rows, booked, strict=True)
        for appointment in attended
    )
    by_episode: dict[int, list[TherapySession]] = defaultdict(list)
    for session in sessions:
        by_episode[session.episode_id].append(session)
    responses = []
    questions = client_questions(instruments())
    for row, client, episode, held in zip(rows, clients, episodes, days, strict=True):
        # The model answers everything at every session; the record holds what the default
        # plan asked, as a practice's would.
        asked = plan_course(DEFAULT_PLAN, days=held, questions=questions)
        for synthetic, stored, due in zip(episode.sessions, by_episode[row.pk], asked, strict=True):
            assert stored.appointment is not None
            moment = stored.appointment.end + timedelta(hours=1)
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


def _appointments(
    episodes: Sequence[SyntheticEpisode],
    clients: Sequence[Client],
    therapists: Sequence[Therapist],
    zone: ZoneInfo,
) -> list[list[Appointment]]:
    """Each episode's attended appointments, one for each session, written in one insert with
    the no-shows. The demo therapist's guaranteed cases are placed first and so keep their days;
    hours already booked (Jamie's sessions) are left free."""
    session_type = AppointmentType.objects.get(slug="session")
    diaries = {therapist.pk: _Diary(zone) for therapist in therapists}
    for row in WorkingHours.objects.filter(therapist_id__in=diaries):
        diaries[row.therapist_id].add_hours(row)
    for therapist_id, start in Appointment.objects.filter(
        therapist_id__in=diaries, status__in=ACTIVE_STATUSES
    ).values_list("therapist_id", "start"):
        diaries[therapist_id].taken.add(start.astimezone(zone).replace(minute=0))

    def appointment(
        client: Client, slot: tuple[datetime, str], status: AppointmentStatus
    ) -> Appointment:
        start, format = slot
        return Appointment(
            therapist=client.therapist,
            client=client,
            appointment_type=session_type,
            format=format,
            start=start,
            end=start + session_type.duration,
            blocked_until=start + session_type.duration + session_type.buffer_after,
            status=status,
            created_at=start - timedelta(days=7),
        )

    attended: list[list[Appointment]] = []
    for client, episode in zip(clients, episodes, strict=True):
        diary = diaries[therapists[episode.therapist_index].pk]
        slots = diary.place([synthetic.day for synthetic in episode.sessions])
        attended.append([appointment(client, slot, AppointmentStatus.FULFILLED) for slot in slots])
    missed = []
    chooser = random.Random(f"{SEED}:no-shows")  # noqa: S311 -- demo data, not secrets
    for client, episode, sessions in zip(clients, episodes, attended, strict=True):
        diary = diaries[therapists[episode.therapist_index].pk]
        cadence = timedelta(days=episode.truth.cadence_days)
        for earlier, later in itertools.pairwise(sessions):
            if later.start.date() - earlier.start.date() > cadence and chooser.random() < NO_SHOW:
                free = diary.free(earlier.start.date() + cadence)
                if free is not None:
                    missed.append(appointment(client, free, AppointmentStatus.NOSHOW))
    Appointment.objects.bulk_create(
        [*(each for held in attended for each in held), *missed], batch_size=500
    )
    return attended


class _Diary:
    """One therapist's working hours and the hours already given, for placing the history."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.hours: dict[int, list[tuple[int, str]]] = defaultdict(list)
        self.taken: set[datetime] = set()

    def add_hours(self, row: WorkingHours) -> None:
        # A session and its buffer take the hour: one an hour from the start of each stretch.
        self.hours[row.weekday] += [
            (hour, row.format) for hour in range(row.start.hour, row.end.hour)
        ]
        self.hours[row.weekday].sort()

    def free(self, day: date) -> tuple[datetime, str] | None:
        """The first free hour on `day`, now given, and its format; None if the day is full."""
        found = self._first_free(day)
        if found is not None:
            self.taken.add(found[0])
        return found

    def _first_free(self, day: date) -> tuple[datetime, str] | None:
        for hour, format in self.hours.get(day.weekday(), ()):
            start = datetime.combine(day, time(hour), self.zone)
            if start not in self.taken:
                return start, format
        return None

    def place(self, days: Sequence[date]) -> list[tuple[datetime, str]]:
        """A client's sessions, each at the first free hour of its day, every day moved back
        alike by the fewest days that finds each an hour (past a day off, or a full day): the
        rhythm holds, and with it what the plan asks when. Never forward, into days still to
        come; one by one only if no week's shift will do."""
        for back in range(7):
            moved = [day - timedelta(days=back) for day in days]
            if all(self._first_free(day) is not None for day in moved):
                return [slot for day in moved if (slot := self.free(day))]
        placed: list[tuple[datetime, str]] = []
        for day in days:
            # After the client's previous session, or within the week before a first one.
            earliest = placed[-1][0].date() + timedelta(days=1) if placed else day - timedelta(6)
            candidate = day
            while (slot := self.free(candidate)) is None:
                candidate -= timedelta(days=1)
                if candidate < earliest:
                    raise ValueError(f"no free hour for a session on {day}")
            placed.append(slot)
        return placed


def _risk_alerts(responses: Sequence[Response], today: date) -> None:
    """Risk answers raise their alerts as they would have at the time: recent ones are open,
    older ones were reviewed by the therapist, who made a safety plan. Each keeps the evidence a
    check-in's alert would (the answer in words, the session's day), without its e-mails."""
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
            rule=RISK_RULE,
            evidence={RISK_RULE: item9_evidence(response.answers.get(RISK_ITEM), response.session)},
            source=RISK_SOURCE,
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
