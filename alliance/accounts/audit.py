"""The read audit: one append-only record each time someone is shown a client's clinical data.

Views call `audit_record` once they have fetched what they show (after the access check, so a
404 or 403 records nothing) and before they answer, in the same request: one INSERT. The
records name the client by UUID only, so erasing a client keeps the trail. The owner reads and
exports them at /staff/audit/ (alliance.accounts.audit_views).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.http import HttpRequest

from alliance.accounts.addresses import client_address
from alliance.accounts.models import Actor, AuditRecord, AuditRecordQuerySet, User


def audit_record(
    *,
    request: HttpRequest | None,
    what: str,
    client_uuid: UUID | None,
    object_id: str = "",
) -> AuditRecord:
    """Record that `request`'s person was shown `what`; with no request, a server command.

    A single INSERT is its own transaction, so this needs no atomic block of its own; inside the
    caller's, the record stands or falls with what it records.
    """
    return AuditRecord.objects.create(
        **_who(request), client_uuid=client_uuid, what=what, object_id=object_id
    )


def audit_record_many(
    *, request: HttpRequest, what: str, client_uuids: Iterable[UUID]
) -> list[AuditRecord]:
    """One record per client a page shows at once (the caseload), in one INSERT (a second only
    past the database's batch size: about 140 clients on SQLite)."""
    who = _who(request)
    return AuditRecord.objects.bulk_create(
        AuditRecord(**who, client_uuid=client_uuid, what=what) for client_uuid in client_uuids
    )


def _who(request: HttpRequest | None) -> dict[str, Any]:
    user = getattr(request, "user", None) if request is not None else None
    if request is None:
        role = Actor.COMMAND
    elif isinstance(user, User) and user.is_authenticated:
        role = Actor(user.role)
    else:
        # Opened with a link (the progress page): no person signed in, so no user.
        user, role = None, Actor.CLIENT_LINK
    return {
        "user": user,
        "role": role,
        "address": client_address(request) if request is not None else "",
    }


# The app that holds clients names them for the owner's audit page (accounts sits below it).
ClientNamer = Callable[[Iterable[UUID]], dict[UUID, str]]
_client_namers: list[ClientNamer] = []


def audit_client_namer_register(namer: ClientNamer) -> None:
    _client_namers.append(namer)


def audit_client_names(uuids: Iterable[UUID]) -> dict[UUID, str]:
    """The names the registered app gives these clients, in one query each; unnamed are left out."""
    wanted = set(uuids)
    names: dict[UUID, str] = {}
    for namer in _client_namers:
        names.update(namer(wanted))
    return names


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What the owner narrows the audit to; every part optional. Days are UTC days, as the
    records are kept and shown."""

    user: User | None = None
    role: str = ""
    client_uuid: UUID | None = None
    since: date | None = None
    until: date | None = None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def audit_records(chosen: AuditFilter) -> AuditRecordQuerySet:
    """The records `chosen` selects, newest first, with their users."""
    records = AuditRecord.objects.select_related("user")
    if chosen.user is not None:
        records = records.filter(user=chosen.user)
    if chosen.role:
        records = records.filter(role=chosen.role)
    if chosen.client_uuid is not None:
        records = records.filter(client_uuid=chosen.client_uuid)
    if chosen.since is not None:
        records = records.filter(at__gte=_midnight(chosen.since))
    if chosen.until is not None:
        # The whole of the last day.
        records = records.filter(at__lt=_midnight(chosen.until + timedelta(days=1)))
    return records.order_by("-at", "-pk")
