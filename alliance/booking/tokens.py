"""Manage links: opaque, signed, expiring, revocable; nothing personal in them.

A token is the appointment's UUID and token version, signed with SECRET_KEY. It is valid until a
day after the appointment ends, and every earlier token stops working when the version is bumped.
"""

from datetime import timedelta

from django.core import signing
from django.utils import timezone

from alliance.booking.models import Appointment

SALT = "alliance.booking.manage"
GRACE = timedelta(days=1)


def manage_token_make(appointment: Appointment) -> str:
    return signing.dumps([str(appointment.uuid), appointment.token_version], salt=SALT)


def manage_token_read(token: str) -> Appointment | None:
    """The appointment the token manages, or None when it is forged, revoked or expired."""
    try:
        appointment_uuid, version = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    appointment = (
        Appointment.objects.select_related("therapist", "client", "appointment_type")
        .filter(uuid=appointment_uuid, token_version=version)
        .first()
    )
    if appointment is None or appointment.end + GRACE < timezone.now():
        return None
    return appointment
