"""Reads of alerts for the pages that show them first."""

from django.db.models import Case, IntegerField, Value, When

from alliance.accounts.models import User
from alliance.care.models import Alert, AlertKind

# A page lists this many at most; more than this open at once is a practice problem the
# client pages show in full.
SHOWN = 50


def open_alerts_for(user: User) -> list[Alert]:
    """Open alerts this person should act on: risk first (it must never wait), newest first."""
    urgency = Case(
        When(kind=AlertKind.RISK, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return list(
        Alert.objects.visible_to(user)
        .open()
        .select_related("client")
        .order_by(urgency, "-created_at")[:SHOWN]
    )
