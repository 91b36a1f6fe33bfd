"""The demo's twelve months of history, as loaded by load_demo."""

from io import StringIO

from django.core.management import call_command

from alliance.care.models import Alert
from alliance.care.why import alert_why


def test_the_demos_risk_alerts_name_their_session_as_a_check_ins_would(db: None) -> None:
    call_command("load_demo", stdout=StringIO())
    alerts = Alert.objects.filter(kind="risk").select_related("session")
    assert alerts.exists()
    for alert in alerts:
        assert alert.session is not None
        day = alert.session.date
        (reason,) = alert_why(alert).reasons
        assert reason.startswith(
            f"At the session of {day:%a} {day.day} {day:%b %Y}, item 9 of the PHQ-9"
        ), reason
        assert '"Several days"' in reason or '"More than half the days"' in reason, reason
