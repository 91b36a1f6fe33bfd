from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "alliance.care"
    label = "care"
    verbose_name = "Care"

    def ready(self) -> None:
        # Imported in ready(): models, and modules that import them, load only once the app
        # registry is ready.
        from alliance.accounts.audit import audit_client_namer_register
        from alliance.booking.models import MessageKind
        from alliance.booking.outbox import message_renderer_register
        from alliance.care import checks  # noqa: F401  (registers the system check)
        from alliance.care.alerts import alerts_escalate
        from alliance.care.emails import alert_email, checkin_email
        from alliance.care.models import client_names
        from alliance.practice.worker import worker_sweep_register

        message_renderer_register([MessageKind.CHECKIN], checkin_email)
        message_renderer_register(
            [MessageKind.RISK_ALERT, MessageKind.ALERT_ESCALATION], alert_email
        )
        audit_client_namer_register(client_names)
        # A risk alert past its deadline is escalated within a minute, cron or no cron.
        worker_sweep_register("alerts", lambda now: alerts_escalate(now=now))
