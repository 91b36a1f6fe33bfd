"""The caseload, ordered by need: risk, unrepaired rupture, disagreement, not on track, the rest.

One query whatever the caseload's size: each client's most urgent open alert, last session and
latest scores come from subqueries, so a therapist with 200 clients waits no longer than one
with 5.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from alliance.accounts.models import User
from alliance.care.alerts import URGENCY, urgency_order
from alliance.care.models import Alert, AlertKind, AlertState, Response, TherapySession
from alliance.clients.access import clients_in_care_of
from alliance.clients.models import Client

NO_ALERT = len(URGENCY) + 1


@dataclass(frozen=True)
class CaseloadRow:
    client: Client
    need: AlertKind | None  # the most urgent open alert's kind
    open_alerts: int
    last_session: date | None
    phq9: int | None
    gad7: int | None
    alliance: int | None


def _latest(instrument: str) -> Subquery:
    return Subquery(
        Response.objects.filter(client=OuterRef("pk"), instrument=instrument)
        .order_by("-session__date", "-completed_at")
        .values("total")[:1]
    )


def caseload_query(user: User) -> QuerySet[Client]:
    # Acknowledged is not done: an acknowledged risk still ranks its client first.
    open_alerts = (
        Alert.objects.visible_to(user)
        .filter(client=OuterRef("pk"))
        .exclude(state=AlertState.RESOLVED)
    )
    return (
        clients_in_care_of(user)
        .select_related("therapist")
        .annotate(
            need_rank=Coalesce(
                Subquery(
                    open_alerts.annotate(rank=urgency_order()).order_by("rank").values("rank")[:1]
                ),
                Value(NO_ALERT),
                output_field=IntegerField(),
            ),
            open_alert_count=Coalesce(
                Subquery(
                    open_alerts.order_by()
                    .values("client")
                    .annotate(count=Count("pk"))
                    .values("count")[:1]
                ),
                Value(0),
                output_field=IntegerField(),
            ),
            last_session=Subquery(
                TherapySession.objects.filter(episode__client=OuterRef("pk"))
                .order_by("-date")
                .values("date")[:1]
            ),
            latest_phq9=_latest("phq9"),
            latest_gad7=_latest("gad7"),
            latest_alliance=_latest("alliance_client"),
        )
        .order_by("need_rank", "name")
    )


def caseload_rows(user: User) -> list[CaseloadRow]:
    rows = []
    for client in caseload_query(user):
        rank = client.need_rank  # type: ignore[attr-defined]
        rows.append(
            CaseloadRow(
                client=client,
                need=URGENCY[rank] if rank < len(URGENCY) else None,
                open_alerts=client.open_alert_count,  # type: ignore[attr-defined]
                last_session=client.last_session,  # type: ignore[attr-defined]
                phq9=client.latest_phq9,  # type: ignore[attr-defined]
                gad7=client.latest_gad7,  # type: ignore[attr-defined]
                alliance=client.latest_alliance,  # type: ignore[attr-defined]
            )
        )
    return rows
