"""Who may see a client's record: through these helpers only (accounts/access.py)."""

from uuid import UUID

from django.shortcuts import get_object_or_404

from alliance.accounts.access import scoped_to_clinician
from alliance.accounts.models import Role, User
from alliance.clients.models import Client, ClientQuerySet


def clients_in_care_of(user: User) -> ClientQuerySet:
    """Whose answers and scores a person may see: the owner all, a therapist their own."""
    return scoped_to_clinician(Client.objects.all(), user, therapist="therapist")


def in_care_of(user: User, client: Client) -> bool:
    """`clients_in_care_of` for a client already fetched: the owner, or the treating therapist."""
    therapist = client.therapist
    return user.role == Role.OWNER or (therapist is not None and therapist.user_id == user.pk)


def get_client_in_care_of(user: User, client_uuid: UUID) -> Client:
    """The treatment itself (the measurement plan): the owner and the treating therapist only."""
    return get_object_or_404(clients_in_care_of(user).select_related("therapist"), uuid=client_uuid)
