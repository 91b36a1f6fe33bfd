from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "alliance.care"
    label = "care"
    verbose_name = "Care"

    def ready(self) -> None:
        from alliance.accounts.audit import audit_client_namer_register
        from alliance.booking.models import MessageKind
        from alliance.booking.outbox import message_renderer_register
        from alliance.care import checks  # noqa: F401  (registers the system check)
        from alliance.care.emails import alert_email, checkin_email
        from alliance.care.models import client_names

        message_renderer_register([MessageKind.CHECKIN], checkin_email)
        message_renderer_register(
            [MessageKind.RISK_ALERT, MessageKind.ALERT_ESCALATION], alert_email
        )
        audit_client_namer_register(client_names)
