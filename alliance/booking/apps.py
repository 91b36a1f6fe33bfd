from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "alliance.booking"
    label = "booking"
    verbose_name = "Booking"

    def ready(self) -> None:
        # Imported in ready(): models, and modules that import them, load only once the app
        # registry is ready.
        from alliance.booking.emails import (
            APPOINTMENT_KINDS,
            appointment_message_email,
            checkin_held,
            offer_message_email,
        )
        from alliance.booking.models import MessageKind
        from alliance.booking.notices import (
            pending_booking_email,
            pending_booking_sent,
            request_notice_email,
            waitlist_joined_email,
        )
        from alliance.outbox.models import message_kinds_register
        from alliance.outbox.renderers import message_hold_register, message_renderer_register

        message_kinds_register(MessageKind)
        message_renderer_register(APPOINTMENT_KINDS, appointment_message_email)
        message_renderer_register([MessageKind.WAITLIST_OFFER], offer_message_email)
        # The check-in's e-mail is care's (care/emails.py); when it may go is the appointment's.
        message_hold_register([MessageKind.CHECKIN], checkin_held)
        message_renderer_register([MessageKind.REQUEST_NOTICE], request_notice_email)
        message_renderer_register(
            [MessageKind.PENDING_BOOKING], pending_booking_email, sent=pending_booking_sent
        )
        message_renderer_register([MessageKind.WAITLIST_JOINED], waitlist_joined_email)
