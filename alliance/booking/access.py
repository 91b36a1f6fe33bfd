from uuid import UUID

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from alliance.accounts.models import Role, User
from alliance.booking.models import Appointment, ConsultationRequest
from alliance.practice.models import Therapist


def get_consultation_request_for_user(user: User, request_uuid: UUID) -> ConsultationRequest:
    return get_object_or_404(
        ConsultationRequest.objects.visible_to(user).select_related("therapist"),
        uuid=request_uuid,
    )


def get_appointment_for_user(user: User, appointment_uuid: UUID) -> Appointment:
    return get_object_or_404(
        Appointment.objects.visible_to(user).select_related(
            "therapist", "client", "appointment_type"
        ),
        uuid=appointment_uuid,
    )


def therapists_for_user(user: User) -> "QuerySet[Therapist]":
    """Whose schedules a person may see and book into: all for the desk, their own otherwise."""
    if user.role in (Role.OWNER, Role.FRONTDESK):
        return Therapist.objects.all()
    return Therapist.objects.filter(user=user)
