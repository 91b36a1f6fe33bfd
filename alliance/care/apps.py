from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "alliance.care"
    label = "care"
    verbose_name = "Care"

    def ready(self) -> None:
        # Imported in ready(): models, and modules that import them, load only once the app
        # registry is ready.
        from alliance.booking.extras import appointment_extras_register
        from alliance.booking.models import MessageKind
        from alliance.care import checks  # noqa: F401  (registers the system check)
        from alliance.care.alerts import alerts_escalate
        from alliance.care.checkins import session_ratable, with_therapist_rating
        from alliance.care.emails import alert_email, checkin_email
        from alliance.care.models import AlertMessageKind
        from alliance.outbox.models import message_kinds_register
        from alliance.outbox.renderers import message_renderer_register
        from alliance.practice.worker import worker_sweep_register

        message_kinds_register(AlertMessageKind)
        # Booking queues the check-in and holds it until the session ends; care writes it.
        message_renderer_register([MessageKind.CHECKIN], checkin_email)
        message_renderer_register(AlertMessageKind, alert_email)
        # The schedule says which sessions the therapist may rate, and which they have.
        appointment_extras_register(annotate=with_therapist_rating, ratable=session_ratable)
        # A risk alert past its deadline is escalated within a minute, cron or no cron.
        worker_sweep_register("alerts", lambda now: alerts_escalate(now=now))
