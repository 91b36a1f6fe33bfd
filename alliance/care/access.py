"""Fetching clinical records for a person: through these helpers only (accounts/access.py)."""

from uuid import UUID

from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404

from alliance.accounts.models import User
from alliance.booking.models import Appointment
from alliance.care.models import Alert
from alliance.clients.access import clients_in_care_of
from alliance.clients.models import Client


def get_client_for_clinician(user: User, client_uuid: UUID) -> Client:
    """The client page: those in the person's care, and a client with an alert the person may
    see. That admits the designated clinician to a client whose risk alert they were e-mailed
    about, while it is unresolved (the rule is `Alert.objects.visible_to`)."""
    alerted = Alert.objects.visible_to(user).filter(client=OuterRef("pk"))
    clients = clients_in_care_of(user) | Client.objects.filter(Exists(alerted))
    return get_object_or_404(clients.select_related("therapist"), uuid=client_uuid)


def get_appointment_to_rate(user: User, appointment_uuid: UUID) -> Appointment:
    """Only the therapist who held the session rates it: the rating is their own view."""
    return get_object_or_404(
        Appointment.objects.select_related("client", "therapist", "appointment_type"),
        uuid=appointment_uuid,
        therapist__user=user,
        appointment_type__sends_checkin=True,
    )
