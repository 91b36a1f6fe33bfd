import uuid

from django.db import models
from django.utils import timezone

from alliance.accounts.access import scoped_to_clinician
from alliance.accounts.models import CLINICAL_ROLES, User
from alliance.clients.models import Client
from alliance.outbox.models import Message
from alliance.practice.models import Practice, Therapist


class EpisodeQuerySet(models.QuerySet["Episode"]):
    def visible_to(self, user: User) -> "EpisodeQuerySet":
        return scoped_to_clinician(self, user, therapist="therapist")

    def open(self) -> "EpisodeQuerySet":
        return self.filter(ended_on__isnull=True)


class Episode(models.Model):
    """An episode of care: one client with one therapist, from the first session until it ends.

    Outcomes are paired within an episode (first and last score), as the NHS Talking Therapies
    definitions require, so a client who returns a year later starts a new one.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="episodes")
    therapist = models.ForeignKey(Therapist, on_delete=models.PROTECT, related_name="episodes")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # A fingerprint of the signals last stored for this episode: a recompute that finds the same
    # signals (most responses add none) stops there, without reading them back.
    signals_digest = models.CharField(max_length=64, blank=True, editable=False)

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(ended_on__isnull=True),
                name="one_open_episode_per_client",
            )
        ]

    def __str__(self) -> str:
        return f"Episode of {self.client} from {self.started_on}"


class Frequency(models.TextChoices):
    EVERY_SESSION = "every_session", "Every session"
    EVERY_OTHER_SESSION = "every_other_session", "Every other session"
    MONTHLY = "monthly", "Monthly"
    SECOND_THEN_MONTHLY = "second_then_monthly", "Second session, then monthly"
    FIRST_SESSION = "first_session", "First session only"
    OFF = "off", "Not used"


class PlanItem(models.Model):
    """One line of an episode's measurement plan: which instrument, how often."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="plan")
    instrument = models.CharField(max_length=40)
    frequency = models.CharField(max_length=24, choices=Frequency.choices)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "instrument"], name="plan_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.instrument}: {self.get_frequency_display()}"


class TherapySession(models.Model):
    """A session that happened, as the check-ins see it: with an appointment, or on a date
    recorded without one (an import, or the API). Every response belongs to one."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="sessions")
    appointment = models.OneToOneField(
        "booking.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="therapy_session",
    )
    # The session's day in the practice's zone.
    date = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "date"], name="one_session_a_day")
        ]

    def __str__(self) -> str:
        return f"Session on {self.date}"


class Respondent(models.TextChoices):
    CLIENT = "client", "Client"
    THERAPIST = "therapist", "Therapist"


class ResponseSource(models.TextChoices):
    CHECKIN = "checkin", "Client check-in link"
    STAFF = "staff", "Entered by staff"
    API = "api", "API"


class ResponseQuerySet(models.QuerySet["Response"]):
    def visible_to(self, user: User) -> "ResponseQuerySet":
        return scoped_to_clinician(self, user, therapist="session__episode__therapist")


class Response(models.Model):
    """One completed instrument, scored when it was recorded (by alliance.clinical)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(TherapySession, on_delete=models.PROTECT, related_name="responses")
    # The same as session.episode.client, kept here so a client's series is one indexed read.
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="responses")
    instrument = models.CharField(max_length=40)
    instrument_version = models.CharField(max_length=20)
    respondent = models.CharField(max_length=10, choices=Respondent.choices)
    answers = models.JSONField()
    total = models.IntegerField()
    band = models.CharField(max_length=60, blank=True)
    prorated = models.BooleanField(default=False)
    flags = models.JSONField(default=list, blank=True)
    comment = models.TextField("in the client's own words", blank=True, max_length=2000)
    # The few answers the relationship engine reads besides the total, copied out of `answers`
    # when the response is recorded, so a client's series is read without decoding JSON:
    # the tension question of either alliance form, the client's repair question, PHQ-9 item 9.
    tension = models.PositiveSmallIntegerField(null=True, blank=True)
    repair = models.PositiveSmallIntegerField(null=True, blank=True)
    item9 = models.PositiveSmallIntegerField(null=True, blank=True)
    completed_at = models.DateTimeField()
    source = models.CharField(max_length=10, choices=ResponseSource.choices)
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A retried API call carries the same key and finds the first row.
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["completed_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "instrument"], name="one_response_a_session")
        ]
        indexes = [models.Index(fields=["client", "instrument", "completed_at"])]

    def __str__(self) -> str:
        return f"{self.instrument} {self.uuid}"


class CheckinInvitation(models.Model):
    """A client's one-time link to the check-in after an appointment.

    The link carries a signed reference to this row (alliance.care.tokens), nothing personal;
    it works once, until `expires_at`. The instruments asked are fixed when it is issued.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    appointment = models.ForeignKey(
        "booking.Appointment", on_delete=models.CASCADE, related_name="checkin_invitations"
    )
    instruments = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "check-in invitation"

    def __str__(self) -> str:
        return f"Check-in invitation {self.uuid}"


class AlertKind(models.TextChoices):
    RISK = "risk", "Risk: self-harm item answered"
    RUPTURE = "rupture", "Possible rupture"
    UNREPAIRED_RUPTURE = "unrepaired_rupture", "Rupture not yet repaired"
    DISAGREEMENT = "disagreement", "You and your client see it differently"
    LOW_ALLIANCE = "low_alliance", "The client rates the relationship low"
    NOT_ON_TRACK = "not_on_track", "Not on track"
    NO_IMPROVEMENT = "no_improvement", "No reliable improvement yet"
    RELIABLE_DETERIORATION = "reliable_deterioration", "Reliable deterioration"


class AlertState(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


class AlertQuerySet(models.QuerySet["Alert"]):
    def visible_to(self, user: User) -> "AlertQuerySet":
        """The treating therapist's and the owner's; a risk alert also the designated
        clinician's, who is told of every one, until it is resolved (docs/security.md)."""
        visible = scoped_to_clinician(self, user, therapist="therapist")
        if not (user.is_authenticated and user.is_active and user.role in CLINICAL_ROLES):
            return visible
        # A subquery, not a lookup of the practice first: the alert list stays one query.
        designated = Practice.objects.filter(designated_clinician=user.pk)
        told = self.filter(models.Exists(designated), kind=AlertKind.RISK).exclude(
            state=AlertState.RESOLVED
        )
        return visible | told

    def open(self) -> "AlertQuerySet":
        return self.filter(state=AlertState.OPEN)


class Alert(models.Model):
    """Something about a client that a therapist should act on, created with its evidence."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=24, choices=AlertKind.choices)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="alerts")
    therapist = models.ForeignKey(Therapist, on_delete=models.PROTECT, related_name="alerts")
    response = models.ForeignKey(
        Response, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    # The session the alert arises at, and the rule and figures behind it, kept as they were
    # when it was raised: "why" must not change under the therapist when signals are recomputed.
    session = models.ForeignKey(
        TherapySession, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    rule = models.CharField(max_length=200, blank=True)  # the rules that fired, comma-separated
    evidence = models.JSONField(default=dict, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=16, choices=AlertState.choices, default=AlertState.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    escalated_at = models.DateTimeField(null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "kind"], name="one_alert_per_response_and_kind"
            ),
            # Recomputing signals finds the alert it raised before instead of raising another.
            models.UniqueConstraint(
                fields=["client", "kind", "session"],
                condition=models.Q(session__isnull=False),
                name="one_alert_per_session_and_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.uuid}"


class AlertMessageKind(models.TextChoices):
    """Care's kinds of outbox message: alerts to staff (booking names the client's e-mails)."""

    RISK_ALERT = "risk_alert", "Risk alert to staff"
    ALERT_ESCALATION = "alert_escalation", "Unacknowledged risk alert, to the owners"


class AlertMessage(Message):
    """An outbox message telling a member of staff (Message.recipient) about an alert."""

    message = models.OneToOneField(
        Message, on_delete=models.CASCADE, parent_link=True, primary_key=True
    )
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="messages")


class AlertAction(models.TextChoices):
    """What a therapist did about an alert; "other" takes a note."""

    TALKED_THROUGH = "talked_through", "Talked it through with the client"
    ADJUSTED = "adjusted", "Adjusted goals or approach"
    CONSULTED = "consulted", "Consulted a colleague or supervisor"
    REFERRED = "referred", "Referred"
    SAFETY_PLAN = "safety_plan", "Made or reviewed a safety plan"
    OTHER = "other", "Other"


class AlertEvent(models.Model):
    """Every change of an alert's state, with who, when and what they did: the alert's record."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    state = models.CharField(max_length=16, choices=AlertState.choices)
    action = models.CharField(max_length=20, choices=AlertAction.choices, blank=True)
    note = models.TextField(blank=True, max_length=2000)
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.alert} {self.state} at {self.at:%Y-%m-%d %H:%M}"


class RefusedResponse(models.Model):
    """A record the scoring refused that touches risk, kept as it was sent and never scored:
    the clinician sees what arrived and why it was refused, and the corrected record, when it
    comes, supersedes it (docs/instruments.md, "A risk answer is never lost")."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="refused_responses")
    session = models.ForeignKey(
        TherapySession, on_delete=models.PROTECT, related_name="refused_responses"
    )
    instrument = models.CharField(max_length=40)
    answers = models.JSONField()  # as received, before any reading of text as numbers
    problems = models.JSONField(default=list)  # [{"item": id or None, "message": text}]
    source = models.CharField(max_length=10, choices=ResponseSource.choices)
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)
    alert = models.ForeignKey(
        Alert, on_delete=models.PROTECT, null=True, blank=True, related_name="refused_responses"
    )
    superseded_by = models.ForeignKey(
        Response, on_delete=models.PROTECT, null=True, blank=True, related_name="superseded"
    )

    class Meta:
        ordering = ["received_at", "pk"]
        verbose_name = "refused response"

    def __str__(self) -> str:
        return f"Refused {self.instrument} {self.uuid}"


class SignalRecord(models.Model):
    """A signal the relationship engine found in a client's series (alliance.clinical.signals).

    Derived data: replaced whole for a client whenever their signals are recomputed.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="signals")
    session = models.ForeignKey(TherapySession, on_delete=models.CASCADE, related_name="signals")
    kind = models.CharField(max_length=24)
    rule = models.CharField(max_length=40)
    parameters = models.JSONField(default=dict)
    evidence = models.JSONField(default=dict)
    source = models.CharField(max_length=300)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session__date", "pk"]
        indexes = [models.Index(fields=["client", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} ({self.rule})"


class PracticeNormsRecord(models.Model):
    """One fit of the practice-wide figures the engine compares each client with (the SD of
    alliance changes, the usual client-therapist gap, each therapist's usual rating, the
    expected course). Each adopted fit is a new version; the newest is current, the older ones
    stay so that a signal's recorded norms_version can still be looked up. The nightly recompute
    adopts a fit on a schedule or when the norms move (alliance.care.engine.nightly)."""

    version = models.PositiveIntegerField(unique=True)
    norms = models.JSONField(default=dict)
    fitted_at = models.DateTimeField(default=timezone.now)
    episodes = models.PositiveIntegerField(default=0)
    reason = models.CharField("why it was adopted", max_length=200, blank=True)

    class Meta:
        ordering = ["-version"]
        get_latest_by = "version"

    def __str__(self) -> str:
        return f"Practice norms version {self.version}, fitted {self.fitted_at:%Y-%m-%d %H:%M}"
