"""A client's data rights: everything held about them in one document, and erasure.

Erasure keeps the clinical record (US state law and HIPAA's documentation rules require it to be
kept for years) and removes what identifies the person: name, e-mail, phone, free text, the
contact details of their consultation requests and waitlist entries. docs/security.md, Data
rights, says what is kept and why. Both acts are recorded in the read audit, which names the
client by UUID only and so survives the erasure.
"""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone

from alliance.accounts.audit import audit_record
from alliance.booking.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    BookingMessage,
    ConsultationRequest,
    WaitlistEntry,
    WaitlistStatus,
)
from alliance.care.fhir import client_bundle
from alliance.care.models import (
    Alert,
    AlertEvent,
    CheckinInvitation,
    Episode,
    RefusedResponse,
    Response,
    TherapySession,
)
from alliance.care.services import UNREADABLE_RULE
from alliance.clients.models import Client
from alliance.outbox.models import MessageStatus

FORMAT = "alliance-client-export/1"
ERASED_NAME = "Erased client"
ERASED_TEXT = "(erased)"
PENDING = (MessageStatus.QUEUED, MessageStatus.RETRYING, MessageStatus.SENDING)

type Json = dict[str, Any]


class ClientUnknown(Exception):
    """No client has this id."""


def client_by_uuid(value: str) -> Client:
    """The client a command names, or ClientUnknown with a message that says what was wrong."""
    try:
        key = UUID(value)
    except ValueError:
        raise ClientUnknown(
            f"{value!r} is not a client id; give the UUID from the client page's address."
        ) from None
    client = Client.objects.select_related("therapist").filter(uuid=key).first()
    if client is None:
        raise ClientUnknown(f"No client has the id {key}.")
    return client


def _when(moment: datetime | date | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _matched_requests(client: Client) -> "Q":
    # A request has no link to the client it became, so it is matched by the e-mail address.
    return Q(email__iexact=client.email) if client.email else Q(pk__in=[])


def _episodes(client: Client) -> list[Json]:
    episodes = Episode.objects.filter(client=client).select_related("therapist")
    sessions = TherapySession.objects.filter(episode__client=client).select_related("appointment")
    by_episode: dict[int, list[Json]] = {}
    for session in sessions.order_by("date"):
        by_episode.setdefault(session.episode_id, []).append(
            {
                "date": _when(session.date),
                "appointment": str(session.appointment.uuid) if session.appointment else None,
            }
        )
    return [
        {
            "therapist": episode.therapist.name,
            "started_on": _when(episode.started_on),
            "ended_on": _when(episode.ended_on),
            "plan": [
                {"instrument": item.instrument, "frequency": item.frequency}
                for item in episode.plan.all()
            ],
            "sessions": by_episode.get(episode.pk, []),
        }
        for episode in episodes.prefetch_related("plan").order_by("started_on")
    ]


def _appointments(client: Client) -> list[Json]:
    appointments = Appointment.objects.filter(client=client).select_related(
        "therapist", "appointment_type"
    )
    return [
        {
            "id": str(appointment.uuid),
            "type": appointment.appointment_type.name,
            "therapist": appointment.therapist.name,
            "format": appointment.format,
            "start": _when(appointment.start),
            "end": _when(appointment.end),
            "status": appointment.status,
            "late_cancellation": appointment.late_cancellation,
            "cancelled_at": _when(appointment.cancelled_at),
            "booked_at": _when(appointment.created_at),
        }
        for appointment in appointments.order_by("start")
    ]


def _requests(client: Client) -> list[Json]:
    requests = ConsultationRequest.objects.filter(_matched_requests(client))
    return [
        {
            "id": str(request.uuid),
            "name": request.name,
            "email": request.email,
            "phone": request.phone,
            "preferred_contact": request.preferred_contact,
            "therapist": request.therapist.name if request.therapist else None,
            "message": request.message,
            "times": request.times,
            "times_note": request.times_note,
            "status": request.status,
            "received_at": _when(request.created_at),
            "first_response_at": _when(request.first_response_at),
            "staff_note": request.staff_note,
        }
        for request in requests.select_related("therapist").order_by("created_at")
    ]


def _waitlist(client: Client) -> list[Json]:
    entries = WaitlistEntry.objects.filter(email__iexact=client.email) if client.email else []
    return [
        {
            "id": str(entry.uuid),
            "therapist": entry.therapist.name,
            "name": entry.name,
            "email": entry.email,
            "phone": entry.phone,
            "status": entry.status,
            "joined_at": _when(entry.created_at),
        }
        for entry in entries
    ]


def _responses(client: Client) -> list[Json]:
    responses = Response.objects.filter(client=client).select_related("session")
    return [
        {
            "id": str(response.uuid),
            "instrument": response.instrument,
            "instrument_version": response.instrument_version,
            "respondent": response.respondent,
            "session_date": _when(response.session.date),
            "answers": response.answers,
            "total": response.total,
            "band": response.band,
            "prorated": response.prorated,
            "flags": response.flags,
            "comment": response.comment,
            "completed_at": _when(response.completed_at),
            "source": response.source,
        }
        for response in responses.order_by("completed_at", "pk")
    ]


def _refused(client: Client) -> list[Json]:
    refused = RefusedResponse.objects.filter(client=client).select_related(
        "session", "alert", "superseded_by"
    )
    return [
        {
            "id": str(record.uuid),
            "instrument": record.instrument,
            "session_date": _when(record.session.date),
            "answers": record.answers,
            "problems": record.problems,
            "source": record.source,
            "received_at": _when(record.received_at),
            "alert": str(record.alert.uuid) if record.alert else None,
            "superseded_by": str(record.superseded_by.uuid) if record.superseded_by else None,
        }
        for record in refused.order_by("received_at", "pk")
    ]


def _words_erased(answers: object) -> object:
    """Refused answers with any text that is not a number blanked: text sent in place of an
    answer can be anything, a name included."""
    if isinstance(answers, dict):
        return {key: _words_erased(value) for key, value in answers.items()}
    if isinstance(answers, list):
        return [_words_erased(value) for value in answers]
    if isinstance(answers, str) and not answers.strip().isdigit():
        return ERASED_TEXT
    return answers


def _invitations(client: Client) -> list[Json]:
    invitations = CheckinInvitation.objects.filter(appointment__client=client)
    return [
        {
            "id": str(invitation.uuid),
            "appointment": str(invitation.appointment.uuid),
            "instruments": invitation.instruments,
            "sent_at": _when(invitation.created_at),
            "expires_at": _when(invitation.expires_at),
            "used_at": _when(invitation.used_at),
        }
        for invitation in invitations.select_related("appointment").order_by("created_at")
    ]


def _alerts(client: Client) -> list[Json]:
    alerts = Alert.objects.filter(client=client).select_related("response", "session")
    return [
        {
            "id": str(alert.uuid),
            "kind": alert.kind,
            "state": alert.state,
            "rule": alert.rule,
            "evidence": alert.evidence,
            "parameters": alert.parameters,
            "source": alert.source,
            "response": str(alert.response.uuid) if alert.response else None,
            "session_date": _when(alert.session.date) if alert.session else None,
            "raised_at": _when(alert.created_at),
            "escalated_at": _when(alert.escalated_at),
            "events": [
                {
                    "state": event.state,
                    "action": event.action,
                    "note": event.note,
                    "by": event.by.full_name if event.by else None,
                    "at": _when(event.at),
                }
                for event in alert.events.all()
            ],
        }
        for alert in alerts.prefetch_related("events__by").order_by("created_at")
    ]


def _messages(client: Client) -> list[Json]:
    """The e-mails to the client: about their appointments, and waitlist offers to their
    address. Bodies are not stored (they are written when sent), so kind and times stand for
    them."""
    sent_to_client = Q(appointment__client=client)
    if client.email:
        sent_to_client |= Q(waitlist_offer__entry__email__iexact=client.email)
    messages = BookingMessage.objects.filter(sent_to_client).select_related(
        "appointment", "waitlist_offer__entry"
    )
    return [
        {
            "id": str(message.uuid),
            "kind": message.kind,
            "to": message.waitlist_offer.entry.email if message.waitlist_offer else client.email,
            "appointment": str(message.appointment.uuid) if message.appointment else None,
            "status": message.status,
            "send_after": _when(message.send_after),
            "sent_at": _when(message.sent_at),
        }
        for message in messages.order_by("send_after", "pk")
    ]


def client_export(*, client: Client, request: HttpRequest | None) -> Json:
    """Everything held about `client`, as one JSON-ready document; the export is audited
    (`request` None: by a server command)."""
    with transaction.atomic():
        document: Json = {
            "format": FORMAT,
            "exported_at": _when(timezone.now()),
            "client": {
                "id": str(client.uuid),
                "name": client.name,
                "email": client.email,
                "phone": client.phone,
                "therapist": client.therapist.name if client.therapist else None,
                "since": _when(client.created_at),
                "erased_at": _when(client.erased_at),
            },
            "episodes": _episodes(client),
            "appointments": _appointments(client),
            "consultation_requests": _requests(client),
            "waitlist_entries": _waitlist(client),
            "checkin_invitations": _invitations(client),
            "responses": _responses(client),
            "refused_responses": _refused(client),
            "alerts": _alerts(client),
            "emails": _messages(client),
            "fhir": client_bundle(client),
        }
        audit_record(request=request, what="client export", client_uuid=client.uuid)
    return document


def client_erase(*, client: Client, request: HttpRequest | None = None) -> None:
    """Remove what identifies `client` and keep their clinical record, anonymised.

    Cancels their future appointments and every e-mail not yet sent, revokes their links, and
    marks them erased, so that they cannot be booked, e-mailed, or shown by name again.
    """
    now = timezone.now()
    with transaction.atomic():
        email = client.email
        requests = ConsultationRequest.objects.filter(_matched_requests(client))
        requests.update(
            name="",
            email="",
            phone="",
            message="",
            times_note="",
            staff_note="",
            erased_at=now,
        )
        entries = list(
            WaitlistEntry.objects.filter(email__iexact=email).values_list("pk", flat=True)
            if email
            else []
        )
        WaitlistEntry.objects.filter(pk__in=entries).update(
            name="", email="", phone="", status=WaitlistStatus.WITHDRAWN
        )
        appointments = Appointment.objects.filter(client=client)
        appointments.filter(status__in=ACTIVE_STATUSES, start__gt=now).update(
            status=AppointmentStatus.CANCELLED, cancelled_at=now
        )
        # Manage links name the appointment; raising the version revokes every one sent.
        appointments.update(token_version=F("token_version") + 1)
        messages = BookingMessage.objects.filter(
            Q(appointment__client=client) | Q(waitlist_offer__entry__in=entries)
        )
        messages.filter(status__in=PENDING).update(status=MessageStatus.CANCELLED)
        # SMTP errors can quote the recipient's address.
        messages.update(last_error="")
        CheckinInvitation.objects.filter(
            appointment__client=client, used_at__isnull=True, expires_at__gt=now
        ).update(expires_at=now)
        # Free text in the client's own words, or about them, can name them or others.
        Response.objects.filter(client=client).update(comment="")
        for refused in RefusedResponse.objects.filter(client=client).select_related("alert"):
            refused.answers = _words_erased(refused.answers)
            # The reasons quote what was sent ("got 'often'").
            refused.problems = [
                {**problem, "message": ERASED_TEXT} if "'" in problem["message"] else problem
                for problem in refused.problems
            ]
            refused.save(update_fields=["answers", "problems"])
            if refused.alert is not None and UNREADABLE_RULE in refused.alert.evidence:
                refused.alert.evidence[UNREADABLE_RULE]["sent"] = ERASED_TEXT
                refused.alert.save(update_fields=["evidence"])
        AlertEvent.objects.filter(alert__client=client).update(note="")
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Client), object_id=str(client.pk)
        ).update(object_repr=ERASED_NAME, change_message="")
        client.name, client.email, client.phone, client.erased_at = ERASED_NAME, "", "", now
        client.save(update_fields=["name", "email", "phone", "erased_at"])
        audit_record(request=request, what="client erase", client_uuid=client.uuid)
