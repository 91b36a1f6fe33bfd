"""Writes about care: episodes, sessions, responses and the alerts they raise.

Scoring is alliance.clinical's; these functions store its result. A response that shows risk
creates its alert and the alert's e-mails in the same transaction, so a failure to send never
loses it (the outbox retries; the alert is on the therapist's schedule either way). So does a
refused record whose risk item reads 1 or more or cannot be read at all: it is kept as sent
(RefusedResponse), and the corrected record, when it comes, joins the same alert.
"""

import json
import logging
import threading
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, NamedTuple

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from alliance.accounts.audit import audit_record
from alliance.accounts.models import Role, User
from alliance.booking.models import Appointment
from alliance.care.alerts import escalation_due, messages_schedule_alert
from alliance.care.answers import answer_read, storable, value_shown
from alliance.care.instruments import instrument
from alliance.care.models import (
    Alert,
    AlertEvent,
    AlertKind,
    AlertState,
    Episode,
    PlanItem,
    RefusedResponse,
    Response,
    ResponseSource,
    TherapySession,
)
from alliance.care.tasks import alerts_escalate_task, signals_recompute_task
from alliance.clients.models import Client
from alliance.clinical.instruments import Instrument
from alliance.clinical.plan import DEFAULT_PLAN
from alliance.clinical.scoring import AnswerError, Problem, Score, score
from alliance.practice.models import Practice, Therapist, practice_zone

logger = logging.getLogger(__name__)


class ResponseExists(Exception):
    """This session already has an answer to this instrument."""

    def __init__(self, response: Response) -> None:
        super().__init__("This session already has a response to that instrument.")
        self.response = response


# PHQ-9 item 9 (thoughts of being better off dead or of self-harm): its rules and evidence.
RISK_ITEM = "phq9_9"
RISK_RULE = "phq9_item9"
UNREADABLE_RULE = "phq9_item9_unreadable"
RISK_SOURCE = (
    "PHQ-9 item 9: any answer above 0 needs prompt clinical review "
    "(Kroenke, Spitzer & Williams 2001)."
)


# Where each of Response's engine columns comes from, per instrument.
ENGINE_ANSWERS = {
    "alliance_client": {"tension": "ac_tension", "repair": "ac_repair"},
    "alliance_therapist": {"tension": "at_tension"},
    "phq9": {"item9": "phq9_9"},
}


def engine_answers(code: str, answers: Mapping[str, int]) -> dict[str, int | None]:
    """Response's tension, repair and item9 columns for these answers."""
    picked = ENGINE_ANSWERS.get(code, {})
    return {
        field: answers.get(picked[field]) if field in picked else None
        for field in ("tension", "repair", "item9")
    }


class SessionOf(NamedTuple):
    """Where a record belongs: `session_on`'s arguments, for a session recorded only if needed."""

    client: Client
    therapist: Therapist
    day: date
    appointment: Appointment | None = None


def episode_open(*, client: Client, therapist: Therapist, on: date) -> Episode:
    """The client's open episode of care, started (with the default plan, which the therapist
    changes on the client's page) if there is none."""
    episode = Episode.objects.open().filter(client=client).first()
    if episode is not None:
        return episode
    try:
        with transaction.atomic():
            episode = Episode.objects.create(client=client, therapist=therapist, started_on=on)
            PlanItem.objects.bulk_create(
                PlanItem(episode=episode, instrument=code, frequency=frequency)
                for code, frequency in DEFAULT_PLAN
            )
    except IntegrityError:
        # Another request opened it a moment ago (one_open_episode_per_client).
        return Episode.objects.open().get(client=client)
    return episode


def session_on(
    *,
    client: Client,
    therapist: Therapist,
    day: date,
    appointment: Appointment | None = None,
) -> TherapySession:
    """The session on that day (one a day per episode), recorded if new."""
    episode = episode_open(client=client, therapist=therapist, on=day)
    if appointment is not None:
        found = TherapySession.objects.filter(appointment=appointment).first()
        if found is not None:
            return found
    try:
        with transaction.atomic():
            session, created = TherapySession.objects.get_or_create(
                episode=episode, date=day, defaults={"appointment": appointment}
            )
    except IntegrityError:
        session = TherapySession.objects.get(episode=episode, date=day)
        created = False
    if not created and appointment is not None and session.appointment_id is None:
        session.appointment = appointment
        session.save(update_fields=["appointment"])
    return session


def session_for_appointment(*, appointment: Appointment) -> TherapySession:
    local_day = appointment.start.astimezone(practice_zone()).date()
    return session_on(
        client=appointment.client,
        therapist=appointment.therapist,
        day=local_day,
        appointment=appointment,
    )


class Scored(NamedTuple):
    """Answers scored against their instrument, ready to record."""

    instrument: Instrument
    result: Score


def answers_score(code: str, answers: Mapping[str, object]) -> Scored:
    """Score `answers` without recording anything; AnswerError names every problem."""
    found = instrument(code)
    if found is None:
        raise AnswerError([Problem(None, f"There is no instrument {code!r}.")])
    return Scored(found, score(found, answers))


def response_build(
    *,
    session: TherapySession,
    client_id: int,
    scored: Scored,
    completed_at: datetime,
    source: ResponseSource,
    comment: str = "",
    recorded_by: User | None = None,
    idempotency_key: str | None = None,
) -> Response:
    """An unsaved response row: `response_record` saves one, the demo history saves many."""
    found, result = scored
    return Response(
        session=session,
        client_id=client_id,
        instrument=found.code,
        instrument_version=found.version,
        respondent=found.respondent,
        answers=dict(result.answers),
        total=result.total,
        band=result.band or "",
        prorated=result.prorated,
        flags=sorted(result.flags),
        **engine_answers(found.code, result.answers),
        comment=comment.strip(),
        completed_at=completed_at,
        source=source,
        recorded_by=recorded_by,
        idempotency_key=idempotency_key or None,
    )


@transaction.atomic
def response_record(
    *,
    session: TherapySession,
    scored: Scored,
    completed_at: datetime,
    source: ResponseSource,
    comment: str = "",
    recorded_by: User | None = None,
    idempotency_key: str | None = None,
) -> Response:
    """Store one instrument's scored answers; a risk answer raises its alert at once.

    Raises ResponseExists when the session already has this instrument.
    """
    if idempotency_key:
        earlier = Response.objects.filter(idempotency_key=idempotency_key).first()
        if earlier is not None:
            return earlier
    found, result = scored
    existing = Response.objects.filter(session=session, instrument=found.code).first()
    if existing is not None:
        raise ResponseExists(existing)
    response = response_build(
        session=session,
        client_id=session.episode.client_id,
        scored=scored,
        completed_at=completed_at,
        source=source,
        comment=comment,
        recorded_by=recorded_by,
        idempotency_key=idempotency_key,
    )
    response.save(force_insert=True)
    _signals_recompute_after_commit(str(session.episode.client.uuid))
    refused = RefusedResponse.objects.filter(
        session=session, instrument=found.code, superseded_by__isnull=True
    )
    # The refused records this one corrects, and the alert they raised, which it joins.
    joins = refused.update(superseded_by=response) > 0
    alert = session_risk_alert(session)
    if alert is None and "risk" in result.flags:
        try:
            risk_alert_raise(
                client=session.episode.client,
                therapist=session.episode.therapist,
                session=session,
                evidence={RISK_RULE: item9_evidence(response.answers.get(RISK_ITEM), session)},
                response=response,
            )
        except IntegrityError:
            # Raised a moment ago for a refused record of this session: this one corrects it.
            refused.update(superseded_by=response)
            alert, joins = session_risk_alert(session), True
    if joins and alert is not None and alert.response_id is None:
        _risk_alert_attach(alert, response)
    return response


def item9_words(value: object) -> str:
    """The words of PHQ-9 item 9's answer ("Several days"), or "" for a value it does not have."""
    found = instrument("phq9")
    if found is None or isinstance(value, bool) or not isinstance(value, int):
        return ""
    options = found.item(RISK_ITEM).scale.options
    return next((option.label for option in options if option.value == value), "")


def item9_evidence(value: object, session: TherapySession) -> dict[str, Any]:
    """What an alert keeps of an item-9 answer: the value, its words and the session's day, as
    they were when it was raised."""
    return {
        RISK_RULE: value,
        "answer": item9_words(value),
        "session_date": session.date.isoformat(),
    }


def session_risk_alert(session: TherapySession) -> Alert | None:
    """The session's risk alert, if it has one (there is at most one: the alert's constraint)."""
    return Alert.objects.filter(
        client_id=session.episode.client_id, kind=AlertKind.RISK, session=session
    ).first()


def _alert_evidence_add(alert: Alert, rule: str, evidence: dict[str, Any]) -> None:
    rules = [each for each in alert.rule.split(",") if each]
    alert.rule = ",".join(rules if rule in rules else [*rules, rule])
    alert.evidence = {**alert.evidence, rule: evidence}


def _risk_alert_attach(alert: Alert, response: Response) -> None:
    """The corrected record joins the alert its refused one raised: one alert, told once."""
    value = response.answers.get(RISK_ITEM)
    alert.response = response
    _alert_evidence_add(alert, RISK_RULE, item9_evidence(value, response.session))
    alert.save(update_fields=["response", "rule", "evidence"])
    words = item9_words(value) or value_shown(value)
    AlertEvent.objects.create(
        alert=alert,
        state=alert.state,
        note=f'The corrected record arrived: item 9 answered "{words}", total {response.total}.',
    )


@transaction.atomic
def refused_response_keep(
    *,
    session_of: SessionOf,
    code: str,
    sent: Mapping[str, object],
    error: AnswerError,
    source: ResponseSource,
    recorded_by: User | None = None,
) -> RefusedResponse | None:
    """Keep a refused record that touches risk and alert on it; None for any other refusal.

    Only these are kept: any other refused record loses nothing the sender cannot send again
    from the 422, and keeping every malformed body would store what no one reviews.
    """
    if "risk" in error.flags:
        rule = RISK_RULE
    elif "risk" in error.unreadable:
        rule = UNREADABLE_RULE
    else:
        return None
    session = session_on(**session_of._asdict())
    stored = storable(dict(sent))
    problems = storable(
        [{"item": problem.item, "message": problem.message} for problem in error.problems]
    )
    for earlier in RefusedResponse.objects.filter(
        session=session, instrument=code, superseded_by__isnull=True
    ):
        if _same_json(earlier.answers, stored):
            return earlier  # a retry of the same record: kept once
    evidence = (
        item9_evidence(answer_read(sent.get(RISK_ITEM)), session)
        if rule == RISK_RULE
        else {"sent": value_shown(stored.get(RISK_ITEM)), "session_date": session.date.isoformat()}
    )
    alert = earlier_alert = session_risk_alert(session)
    if alert is None:
        try:
            alert = risk_alert_raise(
                client=session_of.client,
                therapist=session_of.therapist,
                session=session,
                rule=rule,
                evidence={rule: evidence},
            )
        except IntegrityError:
            # Raised for this session a moment ago by another request: this record joins it.
            alert = session_risk_alert(session)
    if alert is not None and earlier_alert is not None:
        if alert.response_id is None:
            # Until a record is scored, the alert says what the latest refused one read.
            _alert_evidence_add(alert, rule, evidence)
            alert.save(update_fields=["rule", "evidence"])
        AlertEvent.objects.create(
            alert=alert,
            state=alert.state,
            note="Another record for this session arrived and was refused; it is kept with it.",
        )
    return RefusedResponse.objects.create(
        client=session_of.client,
        session=session,
        instrument=code,
        answers=stored,
        problems=problems,
        source=source,
        recorded_by=recorded_by,
        alert=alert,
    )


def _same_json(a: object, b: object) -> bool:
    # Not ==: in Python true == 1 == 1.0, and a sender who fixes `true` to 1 sent a new record.
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@transaction.atomic
def risk_alert_raise(
    *,
    client: Client,
    therapist: Therapist,
    session: TherapySession,
    evidence: dict[str, Any],
    rule: str = RISK_RULE,
    response: Response | None = None,
) -> Alert:
    """The one signal that must never be missed or delayed (PHQ-9 item 9).

    `response` is None when the record was refused (RefusedResponse) but item 9 read 1 or more,
    or could not be read: rule UNREADABLE_RULE, "check with the client"."""
    alert = Alert.objects.create(
        kind=AlertKind.RISK,
        client=client,
        therapist=therapist,
        response=response,
        session=session,
        rule=rule,
        evidence=evidence,
        source=RISK_SOURCE,
    )
    AlertEvent.objects.create(alert=alert, state=AlertState.OPEN)
    transaction.on_commit(lambda: _escalation_check_at(alert))
    recipients = risk_alert_recipients(therapist)
    if not recipients:
        logger.error("risk alert %s: no active clinician to tell by e-mail", alert.uuid)
    messages_schedule_alert(alert=alert, recipients=recipients, now=timezone.now())
    logger.warning("risk alert %s raised", alert.uuid)
    return alert


# Clients whose signals are to be recomputed once the current transaction commits, per thread
# (a connection is per thread): a check-in records several responses in one transaction, and
# one recompute sees them all.
_recompute_pending = threading.local()


def _signals_recompute_after_commit(client_uuid: str) -> None:
    pending: set[str] = _recompute_pending.__dict__.setdefault("clients", set())
    pending.add(client_uuid)
    # Registered each time (only the first to run finds work), so that a rolled-back
    # transaction's callback being dropped never strands a later one's client.
    transaction.on_commit(_signals_recompute_queue)


def signals_recompute_pending_forget() -> None:
    """Drop the clients of transactions that rolled back (their callbacks never ran); the next
    commit would otherwise recompute them too, harmlessly. Tests roll back every transaction."""
    _recompute_pending.__dict__.pop("clients", None)


def _signals_recompute_queue() -> None:
    pending: set[str] = _recompute_pending.__dict__.setdefault("clients", set())
    while pending:
        client_uuid = pending.pop()
        try:
            signals_recompute_task.enqueue(client_uuid)
        except Exception:
            logger.exception(
                "could not queue a signals recompute; `manage.py signals_recompute` will"
            )


def _escalation_check_at(alert: Alert) -> None:
    try:
        alerts_escalate_task.using(
            run_after=escalation_due(alert, Practice.objects.current())
        ).enqueue()
    except Exception:
        logger.exception("could not queue the escalation check; `manage.py alerts_escalate` will")


def risk_alert_recipients(therapist: Therapist) -> list[User]:
    """The treating therapist and the practice's designated clinician (else its owners)."""
    practice = Practice.objects.current()
    people: list[User] = []
    if therapist.user is not None:
        people.append(therapist.user)
    if practice.designated_clinician is not None:
        people.append(practice.designated_clinician)
    else:
        people.extend(User.objects.filter(role=Role.OWNER))
    unique = {person.pk: person for person in people if person.is_active}
    return list(unique.values())


@transaction.atomic
def plan_update(
    *, episode: Episode, frequencies: Mapping[str, str], request: HttpRequest | None
) -> None:
    """Set how often each instrument is asked in this episode, from the next invitation on;
    the audit says who changed what the client is asked."""
    for code, frequency in frequencies.items():
        PlanItem.objects.update_or_create(
            episode=episode, instrument=code, defaults={"frequency": frequency}
        )
    audit_record(
        request=request,
        what="measurement plan change",
        client_uuid=episode.client.uuid,
        object_id=str(episode.pk),
    )
