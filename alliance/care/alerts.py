"""Alerts a therapist acts on: reading them, moving them along, escalating the urgent ones.

An alert goes open → acknowledged → resolved. Every change is an AlertEvent with who, when and,
where the therapist gives one, what they did (talked it through, adjusted the approach, …).
A risk alert nobody acknowledges within the practice's working hours is sent to the owners.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Value, When
from django.db.models.functions import Coalesce

from alliance.accounts.access import StaffRequest
from alliance.accounts.audit import audit_record_many
from alliance.accounts.models import Role, User
from alliance.care.models import (
    Alert,
    AlertAction,
    AlertEvent,
    AlertKind,
    AlertMessage,
    AlertMessageKind,
    AlertState,
)
from alliance.lib.workhours import working_deadline
from alliance.outbox.services import messages_queue
from alliance.practice.models import Practice

logger = logging.getLogger(__name__)

# A page lists this many at most; more than this open at once is a practice problem the
# client pages show in full.
SHOWN = 50
# Most urgent first: risk must never wait; an unrepaired rupture carries the outcome risk
# (McLaughlin et al. 2014); then what the therapist may not have seen, a weak alliance (it
# predicts dropout: Sharf et al. 2010), then the course.
URGENCY = [
    AlertKind.RISK,
    AlertKind.UNREPAIRED_RUPTURE,
    AlertKind.DISAGREEMENT,
    AlertKind.LOW_ALLIANCE,
    AlertKind.NOT_ON_TRACK,
    AlertKind.RELIABLE_DETERIORATION,
    AlertKind.NO_IMPROVEMENT,
    AlertKind.RUPTURE,
]


class AlertRefused(Exception):
    """The change asked for does not apply to this alert (e.g. resolving it twice)."""


def urgency_order() -> Case:
    return Case(
        *(When(kind=kind, then=Value(rank)) for rank, kind in enumerate(URGENCY)),
        default=Value(len(URGENCY)),
        output_field=IntegerField(),
    )


# At most this many count tiles: two rows on a phone (the last one "N more" when needed).
COUNTS_SHOWN = 4
# Short names for the counts, so several fit a phone's width; the brief gives the full ones.
COUNT_LABELS = {
    AlertKind.RISK: "Risk",
    AlertKind.UNREPAIRED_RUPTURE: "Unrepaired rupture",
    AlertKind.RUPTURE: "Possible rupture",
    AlertKind.DISAGREEMENT: "Disagreement",
    AlertKind.LOW_ALLIANCE: "Low alliance",
    AlertKind.NOT_ON_TRACK: "Not on track",
    AlertKind.NO_IMPROVEMENT: "Not improving",
    AlertKind.RELIABLE_DETERIORATION: "Deterioration",
}


@dataclass
class AlertsBand:
    """The band at the top of the staff pages: each risk alert by name, the rest as counts."""

    urgent: list[Alert]
    counts: list[tuple[str, int]]  # (the kind's label, how many are open), most urgent first

    def __bool__(self) -> bool:
        return bool(self.urgent or self.counts)


def open_alerts_shown(request: StaffRequest) -> AlertsBand:
    """What the signed-in person should act on. Risk is named, newest answer first, with the
    session, the item-9 answer in words and when the client answered (so a name is a read in
    the audit); every other kind is a count, one
    click from the caseload, so a long list never pushes the day's schedule out of sight."""
    visible = Alert.objects.visible_to(request.user).open()
    urgent = list(
        visible.filter(kind=AlertKind.RISK)
        .select_related("client", "session")
        .annotate(answered_at=Coalesce("response__completed_at", "created_at"))
        .order_by("-answered_at")[:SHOWN]
    )
    counted = dict(
        visible.exclude(kind=AlertKind.RISK)
        .values_list("kind")
        .annotate(open=Count("pk"))
        .order_by()
    )
    counts = [(COUNT_LABELS[kind], counted[kind]) for kind in URGENCY if counted.get(kind)]
    if len(counts) > COUNTS_SHOWN:
        # The rest in one tile: on a phone the day must still start on the first screen, and
        # the caseload lists every alert.
        rest = sum(count for _, count in counts[COUNTS_SHOWN - 1 :])
        counts = [*counts[: COUNTS_SHOWN - 1], ("more", rest)]
    if urgent:
        shown = sorted({alert.client.uuid for alert in urgent})
        audit_record_many(request=request, what="alerts", client_uuids=shown)
    return AlertsBand(urgent=urgent, counts=counts)


@transaction.atomic
def alert_move(
    *, alert: Alert, to: AlertState, by: User, action: str = "", note: str = ""
) -> AlertEvent:
    """Acknowledge or resolve an alert, recording who, when and what they did."""
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    allowed = {
        AlertState.ACKNOWLEDGED: (AlertState.OPEN,),
        AlertState.RESOLVED: (AlertState.OPEN, AlertState.ACKNOWLEDGED),
    }
    if locked.state not in allowed.get(to, ()):
        raise AlertRefused(f"This alert is already {locked.get_state_display().lower()}.")
    if action and action not in AlertAction.values:
        raise AlertRefused("Choose what you did from the list.")
    if action == AlertAction.OTHER and not note.strip():
        raise AlertRefused("Say in a few words what you did.")
    locked.state = to
    locked.save(update_fields=["state"])
    alert.state = to
    return AlertEvent.objects.create(
        alert=locked, state=to, action=action, note=note.strip(), by=by
    )


def messages_schedule_alert(
    *,
    alert: Alert,
    recipients: list[User],
    now: datetime,
    kind: AlertMessageKind = AlertMessageKind.RISK_ALERT,
) -> None:
    """Tell each recipient at once, in the caller's transaction, with the alert."""
    messages_queue(
        [
            AlertMessage(alert=alert, recipient=person, kind=kind, send_after=now)
            for person in recipients
        ]
    )


def escalation_due(alert: Alert, practice: Practice) -> datetime:
    return working_deadline(alert.created_at, practice.risk_escalation_hours, practice.zone)


def alerts_escalate(*, now: datetime) -> int:
    """Send every open risk alert past its working-hours deadline to the owners, once."""
    practice = Practice.objects.current()
    owners = list(User.objects.filter(role=Role.OWNER, is_active=True))
    sent = 0
    waiting = Alert.objects.filter(
        kind=AlertKind.RISK, state=AlertState.OPEN, escalated_at__isnull=True
    )
    for alert in waiting:
        if escalation_due(alert, practice) > now:
            continue
        with transaction.atomic():
            claimed = Alert.objects.filter(pk=alert.pk, escalated_at__isnull=True).update(
                escalated_at=now
            )
            if not claimed:
                continue  # another worker escalated it a moment ago
            messages_schedule_alert(
                alert=alert, recipients=owners, now=now, kind=AlertMessageKind.ALERT_ESCALATION
            )
        logger.warning("risk alert %s escalated to the owners", alert.uuid)
        sent += 1
    return sent
