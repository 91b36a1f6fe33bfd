from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "alliance.booking"
    label = "booking"
    verbose_name = "Booking"

    def ready(self) -> None:
        # Imported in ready(): models, and modules that import them, load only once the app
        # registry is ready.
        from alliance.booking.models import MessageKind
        from alliance.booking.notices import (
            pending_booking_email,
            pending_booking_sent,
            request_notice_email,
            waitlist_joined_email,
        )
        from alliance.booking.outbox import message_renderer_register, outbox_flush
        from alliance.practice.worker import worker_sweep_register

        message_renderer_register([MessageKind.REQUEST_NOTICE], request_notice_email)
        message_renderer_register(
            [MessageKind.PENDING_BOOKING], pending_booking_email, sent=pending_booking_sent
        )
        message_renderer_register([MessageKind.WAITLIST_JOINED], waitlist_joined_email)
        # Mail whose wake-up was lost (a crash, a sender killed past its lease) goes out anyway.
        worker_sweep_register("outbox", lambda now: outbox_flush(now=now))
