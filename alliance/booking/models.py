import uuid
from datetime import timedelta

from django.db import models
from django.db.models import Q

from alliance.accounts.models import Role, User
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
        """Owner and front desk see every request; a therapist sees those addressed to them."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role in (Role.OWNER, Role.FRONTDESK):
            return self.all()
        if user.role == Role.THERAPIST:
            return self.filter(therapist__user=user)
        return self.none()


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
    notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the front desk was told it arrived."
    )

    objects = ConsultationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone=""), name="consultation_request_has_contact"
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
