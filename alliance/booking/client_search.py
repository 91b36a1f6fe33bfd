"""Client search for the staff: one box for a name, an e-mail or a phone number.

A person finds the clients they may see (`Client.objects.visible_to`: the desk and the owner all,
a therapist their own). The matching is alliance.lib.search, in Python over the names and
contact details only (one narrow query: a practice holds thousands of clients, not millions).
Who was shown which clients is written to the read audit; what was typed is written nowhere.
"""

from dataclasses import dataclass
from datetime import datetime

from alliance.accounts.access import StaffRequest
from alliance.accounts.audit import audit_record_many
from alliance.booking.models import Appointment
from alliance.clients.models import Client
from alliance.lib.search import email_hint, fold, match_rank, phone_hint

SHOWN = 20
# Shorter than this finds half the practice.
MIN_TERM = 2
MAX_TERM = 100


@dataclass(frozen=True, slots=True)
class ClientMatch:
    client: Client
    next_appointment: Appointment | None
    # Two clients of the same name told apart without reading out their details.
    email_hint: str
    phone_hint: str


def search_term(value: str) -> str:
    """What was typed, cut to a sensible length; empty when too short to search with."""
    term = value.strip()[:MAX_TERM]
    return term if len(fold(term)) >= MIN_TERM else ""


def client_search(*, request: StaffRequest, term: str, now: datetime) -> list[ClientMatch]:
    """The best matches first (the whole name, then its start, ...), each with their therapist
    and their next appointment; at most SHOWN."""
    candidates = Client.objects.visible_to(request.user).bookable()
    ranked = sorted(
        (rank, fold(name), pk)
        for pk, name, email, phone in candidates.values_list("pk", "name", "email", "phone")
        if (rank := match_rank(term, name=name, email=email, phone=phone)) is not None
    )[:SHOWN]
    order = [pk for _, _, pk in ranked]
    clients = Client.objects.select_related("therapist").in_bulk(order)
    upcoming: dict[int, Appointment] = {}
    for appointment in (
        Appointment.objects.active()
        .filter(client_id__in=order, start__gte=now)
        .select_related("therapist", "appointment_type")
        .order_by("-start")
    ):
        upcoming[appointment.client_id] = appointment  # the earliest is written last
    matches = [
        ClientMatch(
            client=clients[pk],
            next_appointment=upcoming.get(pk),
            email_hint=email_hint(clients[pk].email),
            phone_hint=phone_hint(clients[pk].phone),
        )
        for pk in order
    ]
    if matches:
        audit_record_many(
            request=request,
            what="client search",
            client_uuids=[match.client.uuid for match in matches],
        )
    return matches
