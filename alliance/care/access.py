"""Fetching clinical records for a person: through these helpers only (accounts/access.py)."""

from uuid import UUID

from django.shortcuts import get_object_or_404

from alliance.accounts.access import scoped_to_clinician
from alliance.accounts.models import User
from alliance.booking.models import Appointment
from alliance.care.models import Client, ClientQuerySet


def clients_in_care_of(user: User) -> ClientQuerySet:
    """Whose answers and scores a person may see: the owner all, a therapist their own."""
    return scoped_to_clinician(Client.objects.all(), user, therapist="therapist")


def get_client_for_clinician(user: User, client_uuid: UUID) -> Client:
    return get_object_or_404(clients_in_care_of(user).select_related("therapist"), uuid=client_uuid)


def get_appointment_to_rate(user: User, appointment_uuid: UUID) -> Appointment:
    """Only the therapist who held the session rates it: the rating is their own view."""
    return get_object_or_404(
        Appointment.objects.select_related("client", "therapist", "appointment_type"),
        uuid=appointment_uuid,
        therapist__user=user,
        appointment_type__sends_checkin=True,
    )
