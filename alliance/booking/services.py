import logging
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from alliance.accounts.models import User
from alliance.booking.appointments import SeriesPlan, appointment_series_book
from alliance.booking.messages import message_queue
from alliance.booking.models import (
    Appointment,
    AppointmentType,
    ConsultationRequest,
    MessageKind,
    RequestStatus,
)
from alliance.clients.models import Client
from alliance.practice.models import Therapist

logger = logging.getLogger(__name__)


def consultation_request_submit(
    *,
    submission_token: UUID,
    name: str,
    email: str,
    phone: str,
    preferred_contact: str,
    therapist: Therapist | None,
    message: str,
    times: list[str],
    times_note: str,
    consent: bool,
) -> ConsultationRequest:
    """Save the request with the front desk's notice in one transaction: a saved request is
    always told, by the outbox, however long SMTP or the worker is down.

    Submitting the same form twice (a double click, back-and-resubmit) returns the first row.
    """
    existing = ConsultationRequest.objects.filter(submission_token=submission_token).first()
    if existing is not None:
        return existing
    consultation_request = ConsultationRequest(
        submission_token=submission_token,
        name=name,
        email=email,
        phone=phone,
        preferred_contact=preferred_contact,
        therapist=therapist,
        message=message,
        times=times,
        times_note=times_note,
        consent=consent,
        created_at=timezone.now(),
    )
    consultation_request.full_clean(exclude=["submission_token"])
    try:
        with transaction.atomic():
            consultation_request.save()
            message_queue(
                kind=MessageKind.REQUEST_NOTICE,
                now=consultation_request.created_at,
                consultation_request=consultation_request,
            )
    except IntegrityError:
        # A concurrent submission of the same form won the unique token; theirs is ours.
        return ConsultationRequest.objects.get(submission_token=submission_token)
    logger.info("consultation request %s received", consultation_request.uuid)
    return consultation_request


@transaction.atomic
def consultation_request_set_status(
    *, consultation_request: ConsultationRequest, status: str, user: User, staff_note: str
) -> ConsultationRequest:
    """Move a request along; the first move away from "new" is its first response."""
    consultation_request.status = status
    consultation_request.staff_note = staff_note
    if status != RequestStatus.NEW and consultation_request.first_response_at is None:
        consultation_request.first_response_at = timezone.now()
        consultation_request.first_response_by = user
    consultation_request.full_clean(exclude=["submission_token"])
    consultation_request.save()
    return consultation_request


@transaction.atomic
def staff_booking_make(
    *,
    therapist: Therapist,
    appointment_type: AppointmentType,
    plan: SeriesPlan,
    format: str,
    interval_weeks: int,
    created_by: User,
    client: Client | None,
    name: str = "",
    email: str = "",
    phone: str = "",
    consultation_request: ConsultationRequest | None = None,
) -> list[Appointment]:
    """Staff book the plan's free times for a client, or for a new one made from name, e-mail and
    phone, and mark the consultation request it answers scheduled.

    All of it or, if a time is taken meanwhile (SlotTaken), none of it: no new client record is
    left behind and the request stays as it was.
    """
    if client is None:
        client = Client.objects.create(name=name, email=email, phone=phone, therapist=therapist)
    booked = appointment_series_book(
        therapist=therapist,
        appointment_type=appointment_type,
        client=client,
        plan=plan,
        format=format,
        interval_weeks=interval_weeks,
        created_by=created_by,
    )
    if consultation_request is not None:
        consultation_request_set_status(
            consultation_request=consultation_request,
            status=RequestStatus.SCHEDULED,
            staff_note=consultation_request.staff_note,
            user=created_by,
        )
    return booked
