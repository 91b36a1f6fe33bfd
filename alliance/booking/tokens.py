"""Signed links (manage, waitlist offer and leave, pending booking): opaque, expiring; nothing
personal in them.

A manage token is the appointment's UUID and token version (alliance.accounts.links). It is valid
until a day after the appointment ends, and every earlier token stops working when the version is
bumped.
"""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from alliance.accounts.links import SignedLink
from alliance.booking.models import Appointment, PendingBooking, WaitlistEntry, WaitlistOffer

GRACE = timedelta(days=1)
# How long the e-mailed link to confirm a session works, from when it is sent.
PENDING_MINUTES = 30

MANAGE_LINK = SignedLink[list[Any]]("alliance.booking.manage")
OFFER_LINK = SignedLink[str]("alliance.booking.waitlist-offer", max_age=timedelta(days=60))
# Over a year old, a leave link is refused: every offer e-mail carries a fresh one.
LEAVE_LINK = SignedLink[str]("alliance.booking.waitlist-leave", max_age=timedelta(days=365))
PENDING_LINK = SignedLink[str](
    "alliance.booking.pending", max_age=timedelta(minutes=PENDING_MINUTES)
)


def manage_token_make(appointment: Appointment) -> str:
    return MANAGE_LINK.make([str(appointment.uuid), appointment.token_version])


def manage_token_read(token: str) -> Appointment | None:
    """The appointment the token manages, or None when it is forged, revoked or expired."""
    payload = MANAGE_LINK.read(token)
    if payload is None:
        return None
    appointment_uuid, version = payload
    appointment = (
        Appointment.objects.select_related("therapist", "client", "appointment_type")
        .filter(uuid=appointment_uuid, token_version=version)
        .first()
    )
    if appointment is None or appointment.end + GRACE < timezone.now():
        return None
    return appointment


def waitlist_offer_token_make(offer: WaitlistOffer) -> str:
    return OFFER_LINK.make(str(offer.uuid))


def waitlist_offer_token_read(token: str) -> WaitlistOffer | None:
    """The offer, while it is open and its time is still ahead; None when forged or stale."""
    offer_uuid = OFFER_LINK.read(token)
    if offer_uuid is None:
        return None
    return (
        WaitlistOffer.objects.select_related("entry", "entry__therapist", "entry__appointment_type")
        .filter(uuid=offer_uuid, start__gt=timezone.now())
        .first()
    )


def waitlist_leave_token_make(entry: WaitlistEntry) -> str:
    return LEAVE_LINK.make(str(entry.uuid))


def waitlist_leave_token_read(token: str) -> WaitlistEntry | None:
    """The entry the link leaves, whatever its status; None when forged or too old."""
    entry_uuid = LEAVE_LINK.read(token)
    if entry_uuid is None:
        return None
    return WaitlistEntry.objects.select_related("therapist").filter(uuid=entry_uuid).first()


def pending_booking_token_make(pending: PendingBooking) -> str:
    return PENDING_LINK.make(str(pending.uuid))


def pending_booking_token_read(token: str) -> PendingBooking | None:
    """A client's request still to confirm; None when forged, expired or already confirmed."""
    pending_uuid = PENDING_LINK.read(token)
    if pending_uuid is None:
        return None
    return (
        PendingBooking.objects.select_related("therapist", "appointment_type", "client")
        .filter(uuid=pending_uuid, client__isnull=False, appointment__isnull=True)
        .first()
    )
