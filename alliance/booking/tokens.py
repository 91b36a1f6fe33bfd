"""Signed links (manage, waitlist offer and leave, pending booking): opaque, expiring; nothing
personal in them.

A token is the appointment's UUID and token version, signed with SECRET_KEY. It is valid until a
day after the appointment ends, and every earlier token stops working when the version is bumped.
"""

from datetime import timedelta

from django.core import signing
from django.utils import timezone

from alliance.booking.models import Appointment, PendingBooking, WaitlistEntry, WaitlistOffer

SALT = "alliance.booking.manage"
OFFER_SALT = "alliance.booking.waitlist-offer"
PENDING_SALT = "alliance.booking.pending"
LEAVE_SALT = "alliance.booking.waitlist-leave"
GRACE = timedelta(days=1)
# How long the e-mailed link to confirm a session works, from when it is sent.
PENDING_MINUTES = 30


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


def waitlist_offer_token_make(offer: WaitlistOffer) -> str:
    return signing.dumps(str(offer.uuid), salt=OFFER_SALT)


def waitlist_offer_token_read(token: str) -> WaitlistOffer | None:
    """The offer, while it is open and its time is still ahead; None when forged or stale."""
    try:
        offer_uuid = signing.loads(token, salt=OFFER_SALT, max_age=timedelta(days=60))
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return (
        WaitlistOffer.objects.select_related("entry", "entry__therapist", "entry__appointment_type")
        .filter(uuid=offer_uuid, start__gt=timezone.now())
        .first()
    )


def waitlist_leave_token_make(entry: WaitlistEntry) -> str:
    return signing.dumps(str(entry.uuid), salt=LEAVE_SALT)


def waitlist_leave_token_read(token: str) -> WaitlistEntry | None:
    """The entry the link leaves, whatever its status; None when forged or over a year old
    (every offer e-mail carries a fresh link)."""
    try:
        entry_uuid = signing.loads(token, salt=LEAVE_SALT, max_age=timedelta(days=365))
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return WaitlistEntry.objects.select_related("therapist").filter(uuid=entry_uuid).first()


def pending_booking_token_make(pending: PendingBooking) -> str:
    return signing.dumps(str(pending.uuid), salt=PENDING_SALT)


def pending_booking_token_read(token: str) -> PendingBooking | None:
    """A client's request still to confirm; None when forged, expired or already confirmed."""
    try:
        pending_uuid = signing.loads(
            token, salt=PENDING_SALT, max_age=timedelta(minutes=PENDING_MINUTES)
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return (
        PendingBooking.objects.select_related("therapist", "appointment_type", "client")
        .filter(uuid=pending_uuid, client__isnull=False, appointment__isnull=True)
        .first()
    )
