"""The client's check-in after a session: which instruments, the one-time link, the answers.

A link is the invitation's UUID signed with SECRET_KEY: opaque, with nothing personal in it. It
works once (`used_at`) and until `expires_at`; the invitation is issued when its e-mail is sent,
so a reminder-style retry or a new link asked for later asks what is due at that moment.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, Max, OuterRef

from alliance.accounts.links import LinkExpired, SignedLink
from alliance.accounts.models import User
from alliance.booking.models import Appointment, AppointmentQuerySet, AppointmentStatus
from alliance.care.answers import answers_read
from alliance.care.instruments import in_checkin_order, instrument, instruments
from alliance.care.models import (
    CheckinInvitation,
    RefusedResponse,
    Respondent,
    Response,
    ResponseSource,
)
from alliance.care.services import (
    ResponseExists,
    Scored,
    SessionOf,
    answers_score,
    episode_open,
    refused_response_keep,
    response_record,
    session_for_appointment,
)
from alliance.clinical.plan import client_questions, instruments_due
from alliance.clinical.scoring import AnswerError, Problem
from alliance.practice.models import Practice, practice_zone

# Statuses after which a check-in makes sense: the session took place (or may have: staff do
# not always mark attendance). Cancelled, no-show and mistaken ones get none.
CHECKIN_STATUSES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.ARRIVED,
    AppointmentStatus.FULFILLED,
)
# The instrument whose risk answer is kept and alerted on even in a check-in that is refused.
RISK_INSTRUMENT = "phq9"
# A client may ask for a new link this long after the session; later answers would not be
# about that session any more.
RENEWABLE_FOR = timedelta(days=30)


class CheckinLinkTooOld(Exception):
    """A genuine link past the longest any use of it makes sense: nothing is looked up."""


def checkin_token_max_age() -> timedelta:
    # Past `expires_at` a link still opens the expired page and asks for a new one, which makes
    # sense until RENEWABLE_FOR after the session; the link is made at or after its end.
    return timedelta(days=Practice.objects.current().checkin_link_days) + RENEWABLE_FOR


CHECKIN_LINK = SignedLink[str]("alliance.care.checkin", max_age=checkin_token_max_age)


def checkin_token_make(invitation: CheckinInvitation) -> str:
    return CHECKIN_LINK.make(str(invitation.uuid))


def checkin_token_read(token: str) -> CheckinInvitation | None:
    """The invitation a link names, used or expired included; None when forged.

    Raises CheckinLinkTooOld for a link older than `checkin_token_max_age()`.
    """
    try:
        invitation_uuid = CHECKIN_LINK.read(token, tell_expired=True)
    except LinkExpired:
        raise CheckinLinkTooOld from None
    if invitation_uuid is None:
        return None
    return (
        CheckinInvitation.objects.select_related("appointment", "appointment__client")
        .filter(uuid=invitation_uuid)
        .first()
    )


def checkin_instruments_due(appointment: Appointment) -> list[str]:
    """What the client is asked after this appointment, from the episode's plan."""
    day = appointment.start.astimezone(practice_zone()).date()
    episode = episode_open(client=appointment.client, therapist=appointment.therapist, on=day)
    earlier = episode.sessions.filter(date__lt=day).count()
    last_answered = dict(
        Response.objects.filter(session__episode=episode, session__date__lt=day)
        .values("instrument")
        .annotate(last=Max("session__date"))
        .values_list("instrument", "last")
    )
    due = instruments_due(
        [(item.instrument, item.frequency) for item in episode.plan.all()],  # type: ignore[misc]
        session_number=earlier + 1,
        last_answered=last_answered,
        today=day,
        questions=client_questions(instruments()),
    )
    asked = [code for code in due if (found := instrument(code)) and found.respondent == "client"]
    return in_checkin_order(asked)


def checkin_invitation_issue(
    *, appointment: Appointment, now: datetime
) -> CheckinInvitation | None:
    """The link to send now: the open one, else a new one; None when nothing should be sent
    (the appointment did not happen, or the client has answered already)."""
    if appointment.status not in CHECKIN_STATUSES or not appointment.client.email:
        return None
    invitations = appointment.checkin_invitations.all()
    if any(invitation.used_at is not None for invitation in invitations):
        return None
    current = next((inv for inv in invitations if inv.expires_at > now), None)
    if current is not None:
        return current
    codes = checkin_instruments_due(appointment)
    if not codes:
        return None
    days = Practice.objects.current().checkin_link_days
    return CheckinInvitation.objects.create(
        appointment=appointment,
        instruments=codes,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )


def checkin_renewable(invitation: CheckinInvitation, now: datetime) -> bool:
    appointment = invitation.appointment
    return (
        invitation.used_at is None
        and appointment.status in CHECKIN_STATUSES
        and bool(appointment.client.email)
        and now - appointment.end < RENEWABLE_FOR
    )


@dataclass(frozen=True)
class CheckinInvalid(Exception):
    """Answers that cannot be recorded, by instrument: nothing was saved."""

    problems: Mapping[str, list[Problem]]


def checkin_submit(
    *,
    invitation: CheckinInvitation,
    answers: Mapping[str, Mapping[str, object]],
    comment: str,
    now: datetime,
) -> bool:
    """Record every instrument of the check-in at once; False if it was recorded before.

    Raises CheckinInvalid when any answer is missing or wrong, before anything is written.
    """
    problems: dict[str, list[Problem]] = {}
    scored: list[Scored] = []
    for code in invitation.instruments:
        if instrument(code) is None:
            continue  # removed from the practice's definitions since the link was sent
        try:
            scored.append(answers_score(code, answers.get(code, {})))
        except AnswerError as error:
            problems[code] = list(error.problems)
    if problems:
        raise CheckinInvalid(problems)
    with transaction.atomic():
        locked = CheckinInvitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.used_at is not None:
            return False
        session = session_for_appointment(appointment=invitation.appointment)
        written = 0
        for each in scored:
            try:
                response_record(
                    session=session,
                    scored=each,
                    completed_at=now,
                    source=ResponseSource.CHECKIN,
                    # The client's own words go with the first (the relationship) check-in.
                    comment=comment if written == 0 else "",
                )
            except ResponseExists:
                continue  # recorded for this session another way (the API) before
            written += 1
        locked.used_at = now
        locked.save(update_fields=["used_at"])
    return True


def checkin_refusal_keep(
    *, invitation: CheckinInvitation, sent: Mapping[str, str], problems: Sequence[Problem]
) -> RefusedResponse | None:
    """A check-in that could not be recorded (`problems`), whose PHQ-9 item 9 reads 1 or more
    or cannot be read: kept as sent and alerted on now, for the client may close the page and
    never send it again. None when its PHQ-9 says nothing of risk."""
    found = instrument(RISK_INSTRUMENT)
    if RISK_INSTRUMENT not in invitation.instruments or found is None:
        return None
    # A form's empty field is no answer, as a radio button left unchosen sends nothing.
    raw = {item.id: sent[item.id] for item in found.items if sent.get(item.id, "") != ""}
    unreadable: frozenset[str] = frozenset()
    try:
        flags = answers_score(found.code, answers_read(raw)).result.flags
    except AnswerError as refused:
        flags, unreadable = refused.flags, refused.unreadable
    appointment = invitation.appointment
    return refused_response_keep(
        session_of=SessionOf(
            client=appointment.client,
            therapist=appointment.therapist,
            day=appointment.start.astimezone(practice_zone()).date(),
            appointment=appointment,
        ),
        code=found.code,
        sent=raw,
        error=AnswerError(problems, flags, unreadable),
        source=ResponseSource.CHECKIN,
    )


def checkin_showed_risk(invitation: CheckinInvitation) -> bool:
    # JSON containment is not portable to SQLite; a session has a handful of responses.
    flags = Response.objects.filter(
        session__appointment=invitation.appointment, respondent=Respondent.CLIENT
    ).values_list("flags", flat=True)
    return any("risk" in row for row in flags)


def session_ratable(appointment: Appointment, user: User, now: datetime) -> bool:
    """The therapist rates a session of theirs once it has started (and did not fall through)."""
    return (
        appointment.appointment_type.sends_checkin
        and appointment.therapist.user_id == user.pk
        and appointment.start <= now
        and appointment.status in CHECKIN_STATUSES
    )


def with_therapist_rating(appointments: AppointmentQuerySet) -> AppointmentQuerySet:
    """Each appointment with `rated`: has its therapist rated the session yet?"""
    return appointments.annotate(
        rated=Exists(
            Response.objects.filter(
                session__appointment=OuterRef("pk"), respondent=Respondent.THERAPIST
            )
        )
    )
