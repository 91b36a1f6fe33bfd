"""Booking's part of pages owned by the apps below it: a lower app never imports a higher one,
so the higher one adds to the lower one's page through a template tag (docs/architecture.md)."""

from typing import Any

from django import template

from alliance.booking.models import AppointmentType
from alliance.practice.models import Therapist

register = template.Library()


@register.inclusion_tag("booking/profile_card.html")
def booking_card(therapist: Therapist) -> dict[str, Any]:
    """A profile's way in: a consultation, the waitlist or help choosing, and for existing
    clients the session type they may book themselves."""
    client_type = AppointmentType.objects.filter(bookable_by_clients=True).first()
    return {"therapist": therapist, "client_type": client_type}
