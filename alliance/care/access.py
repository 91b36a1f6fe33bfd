"""Fetching clinical records for a person: through these helpers only (accounts/access.py)."""

from uuid import UUID

from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404

from alliance.accounts.access import scoped_to_clinician
from alliance.accounts.models import Role, User
from alliance.booking.models import Appointment
from alliance.care.models import Alert, Client, ClientQuerySet


def clients_in_care_of(user: User) -> ClientQuerySet:
    """Whose answers and scores a person may see: the owner all, a therapist their own."""
    return scoped_to_clinician(Client.objects.all(), user, therapist="therapist")


def get_client_for_clinician(user: User, client_uuid: UUID) -> Client:
    """The client page: those in the person's care, and a client with an alert the person may
    see. That admits the designated clinician to a client whose risk alert they were e-mailed
    about, while it is unresolved (the rule is `Alert.objects.visible_to`)."""
    alerted = Alert.objects.visible_to(user).filter(client=OuterRef("pk"))
    clients = clients_in_care_of(user) | Client.objects.filter(Exists(alerted))
    return get_object_or_404(clients.select_related("therapist"), uuid=client_uuid)


def in_care_of(user: User, client: Client) -> bool:
    """`clients_in_care_of` for a client already fetched: the owner, or the treating therapist."""
    therapist = client.therapist
    return user.role == Role.OWNER or (therapist is not None and therapist.user_id == user.pk)


def get_client_in_care_of(user: User, client_uuid: UUID) -> Client:
    """The treatment itself (the measurement plan): the owner and the treating therapist only."""
    return get_object_or_404(clients_in_care_of(user).select_related("therapist"), uuid=client_uuid)


def get_appointment_to_rate(user: User, appointment_uuid: UUID) -> Appointment:
    """Only the therapist who held the session rates it: the rating is their own view."""
    return get_object_or_404(
        Appointment.objects.select_related("client", "therapist", "appointment_type"),
        uuid=appointment_uuid,
        therapist__user=user,
        appointment_type__sends_checkin=True,
    )
