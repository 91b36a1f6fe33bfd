from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "alliance.booking"
    label = "booking"
    verbose_name = "Booking"
