import uuid
from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from alliance.accounts.access import scoped_to_user
from alliance.accounts.models import User
from alliance.outbox.models import Message
from alliance.practice.models import Therapist


class ContactMethod(models.TextChoices):
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"


class TimeOfDay(models.TextChoices):
    WEEKDAY_MORNINGS = "weekday-mornings", "Weekday mornings"
    WEEKDAY_AFTERNOONS = "weekday-afternoons", "Weekday afternoons"
    WEEKDAY_EVENINGS = "weekday-evenings", "Weekday evenings"
    WEEKENDS = "weekends", "Weekends"


class RequestStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    SCHEDULED = "scheduled", "Scheduled"
    CLOSED = "closed", "Closed"


class ConsultationRequestQuerySet(models.QuerySet["ConsultationRequest"]):
    def visible_to(self, user: User) -> "ConsultationRequestQuerySet":
        return scoped_to_user(self, user, therapist="therapist")


class ConsultationRequest(models.Model):
    """Someone asking for a free consultation. Saved before anything else happens."""

    # Opaque id for links in e-mails and pages, so addresses reveal neither counts nor order.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The form carries a fresh token; a second submission of the same form finds the first row.
    submission_token = models.UUIDField(unique=True, editable=False)
    name = models.CharField(max_length=120)
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField(max_length=40, blank=True)
    preferred_contact = models.CharField(max_length=8, choices=ContactMethod.choices)
    therapist = models.ForeignKey(
        Therapist,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultation_requests",
        help_text="Empty when the person asked us to help them choose.",
    )
    message = models.TextField("what brings you", blank=True, max_length=2000)
    times = models.JSONField("times that suit", default=list, blank=True)
    times_note = models.CharField(max_length=200, blank=True)
    consent = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.NEW
    )
    created_at = models.DateTimeField(db_index=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    staff_note = models.TextField(blank=True)
    # Set when the person's data was erased (alliance.care.data_rights): the row stays for the
    # practice's figures, without name, contact details or message.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ConsultationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone="") | Q(erased_at__isnull=False),
                name="consultation_request_has_contact",
            ),
            models.CheckConstraint(
                condition=Q(consent=True), name="consultation_request_has_consent"
            ),
            models.CheckConstraint(
                condition=Q(first_response_at__isnull=True) | ~Q(status=RequestStatus.NEW),
                name="consultation_request_new_has_no_response",
            ),
        ]

    def __str__(self) -> str:
        return f"Consultation request {self.uuid}"

    @property
    def time_to_first_response(self) -> timedelta | None:
        if self.first_response_at is None:
            return None
        return self.first_response_at - self.created_at

    def get_times_display(self) -> list[str]:
        labels = dict(TimeOfDay.choices)
        return [labels.get(value, value) for value in self.times]


class AppointmentFormat(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    TELEHEALTH = "telehealth", "Telehealth"


class AppointmentType(models.Model):
    """Consultation, intake, session: how long, and the rules for booking one."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=60)
    duration_minutes = models.PositiveSmallIntegerField()
    buffer_after_minutes = models.PositiveSmallIntegerField(
        default=0, help_text="Kept free after each appointment, e.g. for notes."
    )
    min_notice_hours = models.PositiveSmallIntegerField(default=24)
    horizon_days = models.PositiveSmallIntegerField(default=60)
    increment_minutes = models.PositiveSmallIntegerField(
        default=15, help_text="Start times step by this much."
    )
    bookable_by_public = models.BooleanField(
        default=False, help_text="Anyone may book it online (the free consultation)."
    )
    bookable_by_clients = models.BooleanField(
        default=False, help_text="Existing clients may book it online with their therapist."
    )
    is_free = models.BooleanField(default=False)
    sends_checkin = models.BooleanField(
        "sends a check-in",
        default=False,
        help_text="After it ends, the client gets a check-in link and the therapist a rating form.",
    )

    class Meta:
        ordering = ["duration_minutes"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0) & Q(increment_minutes__gt=0),
                name="appointment_type_positive_lengths",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def buffer_after(self) -> timedelta:
        return timedelta(minutes=self.buffer_after_minutes)


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class WorkingHours(models.Model):
    """A therapist's regular weekly hours, wall-clock in the practice's zone."""

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()
    format = models.CharField(max_length=12, choices=AppointmentFormat.choices)
    location = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["therapist", "weekday", "start"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="hours_end_after_start"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="hours_weekday_in_week"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M} to {self.end:%H:%M}"


class TimeOff(models.Model):
    """Time a therapist is away, or (with no therapist) a practice closure."""

    therapist = models.ForeignKey(
        Therapist, on_delete=models.CASCADE, null=True, blank=True, related_name="time_off"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    note = models.CharField(max_length=120, blank=True, help_text="Seen only by staff.")

    class Meta:
        ordering = ["start"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="time_off_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"Time off {self.start:%Y-%m-%d}"


class AppointmentStatus(models.TextChoices):
    """FHIR R4 Appointment.status, one to one, so an export maps without translation."""

    PROPOSED = "proposed", "Proposed"
    PENDING = "pending", "Pending"
    BOOKED = "booked", "Booked"
    ARRIVED = "arrived", "Arrived"
    FULFILLED = "fulfilled", "Attended"
    CANCELLED = "cancelled", "Cancelled"
    NOSHOW = "noshow", "No-show"
    ENTERED_IN_ERROR = "entered-in-error", "Entered in error"
    WAITLIST = "waitlist", "Waitlist"


# Statuses that hold the therapist's time. The database refuses two of these that overlap.
ACTIVE_STATUSES = (
    AppointmentStatus.PROPOSED,
    AppointmentStatus.PENDING,
    AppointmentStatus.BOOKED,
    AppointmentStatus.ARRIVED,
    AppointmentStatus.FULFILLED,
    AppointmentStatus.NOSHOW,
)


class AppointmentSeries(models.Model):
    """Recurring sessions booked together; every occurrence was checked before any was saved."""

    interval_weeks = models.PositiveSmallIntegerField(choices=[(1, "Weekly"), (2, "Fortnightly")])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "appointment series"

    def __str__(self) -> str:
        return f"Series {self.pk}, every {self.interval_weeks} week(s)"


class AppointmentQuerySet(models.QuerySet["Appointment"]):
    def active(self) -> "AppointmentQuerySet":
        return self.filter(status__in=ACTIVE_STATUSES)

    def visible_to(self, user: User) -> "AppointmentQuerySet":
        return scoped_to_user(self, user, therapist="therapist")


class Appointment(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    therapist = models.ForeignKey(Therapist, on_delete=models.PROTECT, related_name="appointments")
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="appointments"
    )
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT)
    format = models.CharField(max_length=12, choices=AppointmentFormat.choices)
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField()
    # end + the type's buffer: the span the database keeps free of other active appointments.
    blocked_until = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    late_cancellation = models.BooleanField(default=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    series = models.ForeignKey(
        AppointmentSeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
    )
    # A retried or double-submitted booking carries the same key and finds the first row.
    idempotency_key = models.CharField(max_length=80, unique=True, null=True, blank=True)
    # iCalendar SEQUENCE: bumped whenever the time or status changes (RFC 5545 §3.8.7.4).
    sequence = models.PositiveIntegerField(default=0)
    # Bumped to revoke every manage link sent so far.
    token_version = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="appointment_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(blocked_until__gte=models.F("end")), name="appointment_blocks_its_span"
            ),
        ]
        indexes = [models.Index(fields=["therapist", "start"])]

    def __str__(self) -> str:
        return f"{self.appointment_type} {self.start:%Y-%m-%d %H:%M} UTC"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def join_link(self) -> str:
        """The therapist's video room for a video appointment; empty until they set one."""
        return self.therapist.video_room_url if self.format == AppointmentFormat.TELEHEALTH else ""


class MessageKind(models.TextChoices):
    """Booking's kinds of outbox message (care names its own)."""

    CONFIRMATION = "confirmation", "Confirmation"
    REMINDER = "reminder", "Reminder"
    RESCHEDULED = "rescheduled", "New time"
    CANCELLATION = "cancellation", "Cancellation"
    NEW_LINK = "new_link", "New manage link"
    WAITLIST_OFFER = "waitlist_offer", "Waitlist offer"
    CHECKIN = "checkin", "Check-in invitation"
    REQUEST_NOTICE = "request_notice", "New request notice, to the front desk"
    PENDING_BOOKING = "pending_booking", "Answer to a session asked for on the web"
    WAITLIST_JOINED = "waitlist_joined", "Waitlist confirmation, with a link to leave"


class BookingMessage(Message):
    """An outbox message about an appointment, a waitlist offer or entry, a consultation request
    (to the front desk) or a session asked for on the web. Deleting what it is about deletes it.
    """

    message = models.OneToOneField(
        Message, on_delete=models.CASCADE, parent_link=True, primary_key=True
    )
    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="messages", null=True, blank=True
    )
    waitlist_offer = models.ForeignKey(
        "WaitlistOffer", on_delete=models.CASCADE, related_name="messages", null=True, blank=True
    )
    consultation_request = models.ForeignKey(
        ConsultationRequest,
        on_delete=models.CASCADE,
        related_name="messages",
        null=True,
        blank=True,
    )
    pending_booking = models.ForeignKey(
        "PendingBooking", on_delete=models.CASCADE, related_name="messages", null=True, blank=True
    )
    waitlist_entry = models.ForeignKey(
        "WaitlistEntry", on_delete=models.CASCADE, related_name="messages", null=True, blank=True
    )
    hours_before = models.PositiveSmallIntegerField(null=True, blank=True)
    # A "new time" message whose move changed the format (the new hours allow only the other).
    format_changed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(appointment__isnull=False)
                | Q(waitlist_offer__isnull=False)
                | Q(consultation_request__isnull=False)
                | Q(pending_booking__isnull=False)
                | Q(waitlist_entry__isnull=False),
                name="booking_message_is_about_something",
            )
        ]


class CalendarFeed(models.Model):
    """A therapist's private calendar subscription. Only a hash of its secret is kept: the
    address is shown once, and making a new one revokes the old."""

    therapist = models.OneToOneField(
        Therapist, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed of {self.therapist}"


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    BOOKED = "booked", "Booked"
    WITHDRAWN = "withdrawn", "Withdrawn"


class WaitlistEntry(models.Model):
    """Someone waiting for a time with a therapist who is full; offered freed times in order."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="waitlist")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT)
    name = models.CharField(max_length=120)
    email = models.EmailField("e-mail")
    phone = models.CharField(max_length=40, blank=True)
    status = models.CharField(
        max_length=10, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    # The form's token: submitting the same form twice joins once.
    submission_token = models.UUIDField(unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "waitlist entries"
        constraints = [
            # One place in line per person: a second entry would mean a second offer.
            models.UniqueConstraint(
                "therapist",
                Lower("email"),
                condition=Q(status=WaitlistStatus.WAITING),
                name="waitlist_one_waiting_entry_per_address",
            )
        ]

    def __str__(self) -> str:
        return f"Waitlist entry {self.uuid}"


class OfferStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    LOST = "lost", "Taken by someone else"


class WaitlistOffer(models.Model):
    """A freed time offered to one person on a waitlist; the first to accept books it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    start = models.DateTimeField()
    status = models.CharField(max_length=10, choices=OfferStatus.choices, default=OfferStatus.OPEN)
    appointment = models.ForeignKey(
        Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Waitlist offer {self.uuid}"


class PendingBooking(models.Model):
    """A session asked for on the web under an e-mail address, waiting to be confirmed.

    The page answers the same whoever types the address; the e-mail decides (docs/security.md,
    "Public forms"): the therapist's client with that address gets a single-use link to confirm,
    anyone else a note that nothing was booked. That e-mail is an outbox message; the typed
    address is blanked once it is sent. A confirmed request keeps its appointment, which makes
    the link single-use.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="+")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.CASCADE)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    email = models.EmailField(max_length=254, blank=True)
    start = models.DateTimeField()
    format = models.CharField(max_length=12, choices=AppointmentFormat.choices)
    # A double submit of the same form finds the first request and sends no second e-mail.
    submission_key = models.CharField(max_length=80, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    appointment = models.OneToOneField(
        Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Pending booking {self.uuid}"
