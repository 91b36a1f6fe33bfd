"""Instruments, clients, responses and outcomes: staff operations, with a token.

A token acts as its user (alliance.api.auth); who reaches which client's records is
alliance.api.access.
"""

import json
import uuid
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, NamedTuple

from django.http import HttpRequest
from django.utils import timezone
from ninja import P, Router, Status
from ninja.errors import HttpError
from ninja.params import HeaderEx

from alliance.accounts.audit import audit_record
from alliance.accounts.models import Role, User
from alliance.api.access import client_in_care, clinician_user
from alliance.api.auth import StaffToken, staff_user
from alliance.api.clinical_schemas import (
    AnswersRefusedOut,
    BandOut,
    ClientIn,
    ClientOut,
    ExistingOut,
    InstrumentOut,
    ItemOut,
    NhsOut,
    OptionOut,
    OutcomesOut,
    ResponseIn,
    ResponseOut,
    ScoreChangeOut,
    SignalOut,
    risk_alert_said,
)
from alliance.api.errors import invalid, on_refusal
from alliance.api.idempotency import idempotency_caller, idempotency_scoped
from alliance.api.schemas import DetailOut, FieldErrorOut, ValidationErrorOut, field_error
from alliance.booking.models import Appointment
from alliance.care.answers import answers_read
from alliance.care.instruments import instruments
from alliance.care.models import Response, ResponseSource, SignalRecord
from alliance.care.outcomes import client_outcomes
from alliance.care.services import (
    ResponseExists,
    SessionOf,
    answers_score,
    refused_response_keep,
    response_record,
    session_on,
)
from alliance.clients.models import Client
from alliance.clinical.instruments import Instrument
from alliance.clinical.scoring import AnswerError, Problem
from alliance.lib.moments import day_checked, moment_checked
from alliance.practice.models import Therapist, practice_zone

router = Router(auth=StaffToken(), tags=["clinical"])

# Devices' clocks drift; a completion time this far ahead is taken as now-ish, not refused.
CLOCK_SKEW = timedelta(minutes=5)
# Stored hashed (alliance.api.idempotency), so any length fits; this much has always been taken.
MAX_IDEMPOTENCY_KEY = 64
WHERE = ("body", "payload")


def _instrument_out(found: Instrument) -> InstrumentOut:
    return InstrumentOut(
        code=found.code,
        name=found.name,
        version=found.version,
        licence=found.licence,
        respondent=found.respondent,
        items=[
            ItemOut(
                id=item.id,
                text=item.text,
                options=[OptionOut(value=o.value, label=o.label) for o in item.scale.options],
                scored=item.scored,
                required=item.required,
            )
            for item in found.items
        ],
        min=found.min_total,
        max=found.max_total,
        bands=[BandOut(min=band.min, max=band.max, label=band.label) for band in found.bands],
    )


def _client_or_404(user: User, client_id: str) -> Client:
    try:
        key = uuid.UUID(client_id)
    except ValueError:
        key = None
    return client_in_care(user, key)


@router.get(
    "/instruments",
    response={200: list[InstrumentOut], 401: DetailOut},
    operation_id="instruments_list",
    summary="The practice's instruments",
)
def instruments_list(request: HttpRequest) -> list[InstrumentOut]:
    """Every instrument the practice uses: the shipped ones (PHQ-9, GAD-7, Rosenberg, and the
    project's own alliance check-ins for client and therapist) and any from INSTRUMENTS_DIR."""
    return [_instrument_out(found) for found in instruments().values()]


@router.post(
    "/clients",
    response={201: ClientOut, 401: DetailOut, 422: ValidationErrorOut},
    operation_id="client_create",
    summary="Add a client",
)
def client_create(request: HttpRequest, payload: ClientIn) -> Status[ClientOut]:
    """A new client with their treating therapist. A therapist's token adds clients to their
    own caseload only."""
    user = staff_user(request)
    therapist = Therapist.objects.filter(pk=payload.therapist_id).first()
    if therapist is None:
        raise invalid((*WHERE, "therapist_id"), "There is no therapist with this id.")
    if user.role == Role.THERAPIST and therapist.user_id != user.pk:
        raise invalid((*WHERE, "therapist_id"), "A therapist adds clients to their own caseload.")
    client = Client(name=payload.name, email=payload.email, therapist=therapist)
    client.full_clean()
    client.save()
    return Status(201, ClientOut(id=str(client.uuid)))


def _response_out(response: Response) -> ResponseOut:
    return ResponseOut(
        id=str(response.uuid),
        instrument=response.instrument,
        total=response.total,
        band=response.band or None,
        prorated=response.prorated,
        flags=list(response.flags),
        session_date=response.session.date,
        completed_at=response.completed_at.astimezone(practice_zone()),
    )


def _appointment(client: Client, appointment_id: str) -> Appointment | None:
    try:
        key = uuid.UUID(appointment_id)
    except ValueError:
        return None
    return client.appointments.filter(uuid=key).first()


class _Placed(NamedTuple):
    """Where a record belongs, as far as its fields say, and what is wrong with them: a risk
    answer is placed (and alerted on) even in a record whose fields are refused."""

    completed_at: datetime
    appointment: Appointment | None
    day: date
    problems: list[tuple[str, str]]  # (field, message)


def _placed(client: Client, payload: ResponseIn, now: datetime) -> _Placed:
    problems = []
    completed_at = payload.completed_at or now
    if completed_at > now + CLOCK_SKEW:
        problems.append(("completed_at", "completed_at is in the future."))
        completed_at = now
    appointment = _appointment(client, payload.appointment_id) if payload.appointment_id else None
    if payload.appointment_id and appointment is None:
        problems.append(("appointment_id", "This client has no appointment with this id."))
    zone = practice_zone()
    day = (
        appointment.start.astimezone(zone).date()
        if appointment is not None
        else payload.session_date or completed_at.astimezone(zone).date()
    )
    if appointment is not None and payload.session_date not in (None, day):
        problems.append(("session_date", "The appointment was on another day."))
    return _Placed(completed_at, appointment, day, problems)


def _with_fields(error: AnswerError, fields: list[tuple[str, str]]) -> AnswerError:
    """The answers' problems and the other fields', as a refused record keeps them."""
    named = (Problem(None, f"{field}: {message}") for field, message in fields)
    return AnswerError([*error.problems, *named], error.flags, error.unreadable)


def _refused(
    *,
    payload: ResponseIn,
    session_of: SessionOf,
    error: AnswerError,
    fields: list[tuple[str, str]],
    user: User,
) -> AnswersRefusedOut:
    """The 422's body for a refused record; one whose item 9 reads 1 or more or cannot be read is
    kept as sent and alerts all the same (RefusedResponse), and the 422 names the alert."""
    kept = refused_response_keep(
        session_of=session_of,
        code=payload.instrument,
        sent=payload.answers,
        error=_with_fields(error, fields),
        source=ResponseSource.API,
        recorded_by=user,
    )
    alert = kept.alert if kept is not None else None
    detail = [field_error((*WHERE, field), message) for field, message in fields] + [
        field_error(
            (*WHERE, "answers", problem.item) if problem.item else (*WHERE, "answers"),
            problem.message,
        )
        for problem in error.problems
    ]
    return AnswersRefusedOut(
        detail=[FieldErrorOut(**problem) for problem in detail],
        **risk_alert_said(str(alert.uuid) if alert is not None else None),
    )


@router.post(
    "/clients/{client_id}/responses",
    response={
        201: ResponseOut,
        401: DetailOut,
        403: DetailOut,
        404: DetailOut,
        409: ExistingOut,
        422: AnswersRefusedOut,
    },
    operation_id="response_create",
    summary="Record a completed instrument",
)
def response_create(
    request: HttpRequest,
    client_id: str,
    payload: ResponseIn,
    idempotency_key: HeaderEx[
        str | None,
        P(
            alias="Idempotency-Key",
            min_length=1,
            max_length=MAX_IDEMPOTENCY_KEY,
            description="Send the same key and body when retrying: the retry returns the first "
            "result. The same key with another body is refused (422).",
        ),
    ] = None,
) -> Status[ResponseOut | ExistingOut | AnswersRefusedOut]:
    """Score and store one instrument's answers for a session: the session of
    `appointment_id`, else of `session_date`, else of the day it was completed.

    An answer is an option's value: a whole number, or one written as 2.0 or "2" (read as 2);
    true/false, 1.5, other text and values out of range are refused. A PHQ-9 with item 9
    answered 1 or more carries the flag "risk" and alerts the treating therapist and the
    practice's designated clinician at once. 409: the session already has this instrument.
    422 names each unknown item, value out of range, or missing item (PHQ-9 may miss two
    items, never item 9; it is then prorated), and each follow-up answered when it was not
    asked, with the item it follows (ac_repair after ac_tension 0). A refused PHQ-9 whose item
    9 reads 1 or more, or cannot be read, still alerts (`risk_alert_id`) and is kept as sent
    for the clinician; the corrected record for the same session joins that alert.
    """
    user = clinician_user(request)
    client = _client_or_404(user, client_id)
    key = (
        idempotency_scoped(
            request,
            key=idempotency_key,
            caller=idempotency_caller(request, user),
            stored=Response.objects.all(),
        )
        if idempotency_key
        else None
    )
    if key:
        earlier = Response.objects.filter(idempotency_key=key).select_related("session").first()
        if earlier is not None:
            if earlier.client_id != client.pk:
                raise invalid(
                    ("header", "Idempotency-Key"), "This key was used for another client."
                )
            audit_record(
                request=request,
                what="response",
                client_uuid=client.uuid,
                object_id=str(earlier.uuid),
            )
            return Status(201, _response_out(earlier))
    if client.therapist is None:
        raise invalid(("path", "client_id"), "This client has no treating therapist yet.")
    if payload.instrument not in instruments():
        offered = ", ".join(instruments())
        raise invalid((*WHERE, "instrument"), f"Unknown instrument; these are: {offered}.")
    placed = _placed(client, payload, timezone.now())
    session_of = SessionOf(
        client=client, therapist=client.therapist, day=placed.day, appointment=placed.appointment
    )
    refusal = partial(_refused, payload=payload, session_of=session_of, fields=placed.problems)
    try:
        # Checked before the session is recorded, so most refused records leave nothing behind.
        scored = answers_score(payload.instrument, answers_read(payload.answers))
    except AnswerError as error:
        return Status(422, refusal(error=error, user=user))
    if placed.problems:
        return Status(422, refusal(error=AnswerError([], scored.result.flags), user=user))
    session = session_on(**session_of._asdict())
    try:
        response = response_record(
            session=session,
            scored=scored,
            completed_at=placed.completed_at,
            source=ResponseSource.API,
            recorded_by=user,
            idempotency_key=key,
        )
    except ResponseExists as exists:
        return Status(
            409,
            ExistingOut(
                detail=f"The session on {placed.day} already has a {payload.instrument} response.",
                id=str(exists.response.uuid),
            ),
        )
    audit_record(
        request=request, what="response", client_uuid=client.uuid, object_id=str(response.uuid)
    )
    return Status(201, _response_out(response))


@on_refusal("response_create")
def _refused_before_scoring(request: HttpRequest, errors: list[dict[str, Any]]) -> dict[str, Any]:
    """A response_create body refused before it was scored (a session_date that is no date, a
    completed_at without offset, an Idempotency-Key of another client's): its PHQ-9 item 9
    still reaches a clinician, placed as well as the fields allow, and the 422 says so."""
    try:
        body = json.loads(request.body)
    except (ValueError, RecursionError):
        return {}
    answers = body.get("answers") if isinstance(body, dict) else None
    if not isinstance(answers, dict) or body.get("instrument") != "phq9":
        return {}
    match = request.resolver_match
    try:
        user = clinician_user(request)
        client = _client_or_404(user, str(match.kwargs.get("client_id")) if match else "")
    except HttpError:
        return {}  # whoever may not record it is told nothing more
    if client.therapist is None:
        return {}
    try:
        error = AnswerError([], answers_score("phq9", answers_read(answers)).result.flags)
    except AnswerError as refused:
        error = refused
    fields = [
        (
            ".".join(str(part) for part in problem.get("loc", ()) if part not in WHERE) or "body",
            str(problem.get("msg", "")),
        )
        for problem in errors
    ]
    kept = refused_response_keep(
        session_of=_placed_leniently(client, client.therapist, body),
        code="phq9",
        sent=answers,
        error=_with_fields(error, fields),
        source=ResponseSource.API,
        recorded_by=user,
    )
    alert = kept.alert if kept is not None else None
    return risk_alert_said(str(alert.uuid) if alert is not None else None)


def _placed_leniently(client: Client, therapist: Therapist, body: dict[str, Any]) -> SessionOf:
    """The session a refused body names, from whichever of its fields can be read: the
    appointment, else session_date, else the day of completed_at, else today."""
    zone = practice_zone()
    found = body.get("appointment_id")
    appointment = _appointment(client, found) if isinstance(found, str) else None
    day = appointment.start.astimezone(zone).date() if appointment is not None else None
    for field, read in (("session_date", _day_read), ("completed_at", _moment_day_read)):
        if day is None and isinstance(body.get(field), str):
            day = read(body[field])
    return SessionOf(
        client=client,
        therapist=therapist,
        day=day or timezone.localdate(timezone=zone),
        appointment=appointment,
    )


def _day_read(text: str) -> date | None:
    try:
        return day_checked(date.fromisoformat(text))
    except ValueError:
        return None


def _moment_day_read(text: str) -> date | None:
    try:
        moment = moment_checked(datetime.fromisoformat(text))
    except ValueError:
        return None
    if moment > timezone.now() + CLOCK_SKEW:
        return None
    return moment.astimezone(practice_zone()).date()


@router.get(
    "/clients/{client_id}/outcomes",
    response={200: OutcomesOut, 401: DetailOut, 403: DetailOut, 404: DetailOut},
    operation_id="client_outcomes",
    summary="A client's outcomes",
)
def client_outcomes_get(request: HttpRequest, client_id: str) -> OutcomesOut:
    """First and last scores of the client's latest episode, with the change and whether it is
    reliable (PHQ-9: 6 points, GAD-7: 4, NHS Talking Therapies; Rosenberg has no published
    value we ship, so null), and the NHS Talking Therapies paired outcomes (null until the
    episode has two sessions with PHQ-9 and GAD-7)."""
    client = _client_or_404(clinician_user(request), client_id)
    outcomes = client_outcomes(client)
    audit_record(request=request, what="outcomes", client_uuid=client.uuid)
    measures = {
        code: ScoreChangeOut(
            first=change.first,
            last=change.last,
            change=change.change,
            reliable_change=change.reliable_change,
        )
        for code, change in outcomes.measures.items()
    }
    nhs = outcomes.nhs
    return OutcomesOut(
        phq9=measures["phq9"],
        gad7=measures["gad7"],
        rses=measures["rses"],
        nhs=NhsOut(
            eligible=nhs.eligible,
            caseness_at_start=nhs.caseness_at_start,
            recovered=nhs.recovered,
            reliable_improvement=nhs.reliable_improvement,
            reliable_deterioration=nhs.reliable_deterioration,
            reliable_recovery=nhs.reliable_recovery,
        ),
    )


@router.get(
    "/clients/{client_id}/signals",
    response={200: list[SignalOut], 401: DetailOut, 403: DetailOut, 404: DetailOut},
    operation_id="client_signals",
    summary="What the relationship engine found",
)
def client_signals(request: HttpRequest, client_id: str) -> list[SignalOut]:
    """The signals in the client's latest episode, oldest session first, as last computed
    (after each response): possible ruptures and repairs, disagreement between client and
    therapist, not on track, reliable deterioration and risk, each with its rule, thresholds,
    figures and source (docs/signals.md)."""
    client = _client_or_404(clinician_user(request), client_id)
    records = SignalRecord.objects.filter(client=client).select_related("session")
    audit_record(request=request, what="signals", client_uuid=client.uuid)
    return [
        SignalOut(
            kind=record.kind,
            session_date=record.session.date,
            rule=record.rule,
            parameters=record.parameters,
            evidence=record.evidence,
            source=record.source,
        )
        for record in records.order_by("session__date", "pk")
    ]
