"""Who a token may reach for clinical records: the owner and the client's therapist only.

The front desk books, so its token may add clients; it never reads or writes answers or scores.
A client outside the caller's care is a 404, exactly like one that does not exist.
"""

from uuid import UUID

from django.http import HttpRequest
from ninja.errors import HttpError

from alliance.accounts.models import CLINICAL_ROLES, User
from alliance.api.auth import staff_user
from alliance.clients.access import clients_in_care_of
from alliance.clients.models import Client

FRONT_DESK_REFUSED = (
    "Front-desk tokens cannot read or write clinical records (answers and scores); use the token "
    "of the client's therapist or of the practice owner."
)
NO_SUCH_CLIENT = "No client with this id is in your care."


def clinician_user(request: HttpRequest) -> User:
    user = staff_user(request)
    if user.role not in CLINICAL_ROLES:
        raise HttpError(403, FRONT_DESK_REFUSED)
    return user


def client_in_care(user: User, client_uuid: UUID | None) -> Client:
    client = clients_in_care_of(user).filter(uuid=client_uuid).first() if client_uuid else None
    if client is None:
        raise HttpError(404, NO_SUCH_CLIENT)
    return client
