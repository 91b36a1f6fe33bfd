import zoneinfo
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse

# The fifty states and DC, where a therapist may hold a licence.
US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "  # noqa: SIM905
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY".split()
)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a time zone name such as America/New_York.")


def validate_states(value: object) -> None:
    if not isinstance(value, list) or any(code not in US_STATES for code in value):
        raise ValidationError("Use two-letter US state codes such as FL or NY.")


# A video room is opened by clients from e-mails: only an encrypted address will do.
validate_https_url = URLValidator(
    schemes=["https"],
    code="https_only",  # "invalid" would take the form's vaguer "Enter a valid URL."
    message="Enter the room's full https:// address, e.g. https://doxy.me/yourname.",
)


def default_reminder_hours() -> list[int]:
    return [48, 24]


def validate_reminder_hours(value: object) -> None:
    if not isinstance(value, list) or not all(
        isinstance(hours, int) and 1 <= hours <= 24 * 14 for hours in value
    ):
        raise ValidationError("List whole hours between 1 and 336, e.g. [48, 24].")


class PracticeManager(models.Manager["Practice"]):
    def current(self) -> "Practice":
        practice, _ = self.get_or_create(pk=1)
        return practice


def practice_zone() -> zoneinfo.ZoneInfo:
    return Practice.objects.current().zone


class Practice(models.Model):
    """The practice itself. There is one row; `Practice.objects.current()` fetches or makes it."""

    name = models.CharField(max_length=120, default="Our Practice")
    tagline = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField("e-mail", blank=True)
    address = models.TextField(blank=True)
    time_zone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    crisis_text = models.TextField(
        "crisis help",
        blank=True,
        help_text="Shown with the national crisis lines on every page, e.g. your after-hours line.",
    )

    late_cancel_hours = models.PositiveSmallIntegerField(
        "late-cancellation window (hours)",
        default=24,
        help_text="A cancellation closer than this to the start is recorded as late.",
    )
    reminder_hours = models.JSONField(
        "reminders (hours before)",
        default=default_reminder_hours,
        validators=[validate_reminder_hours],
        help_text="When reminders go out before an appointment, e.g. [48, 24].",
    )
    waitlist_offer_count = models.PositiveSmallIntegerField(
        default=5, help_text="How many people on a waitlist are offered a freed time at once."
    )
    designated_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=(
            "Told at once, with the treating therapist, when a client's answers show risk. "
            "With no one chosen, the practice owners are told."
        ),
    )
    risk_escalation_hours = models.PositiveSmallIntegerField(
        "escalate risk alerts after (working hours)",
        default=4,
        help_text=(
            "A risk alert nobody has acknowledged within this many working hours (Monday to "
            "Friday, 9 AM to 5 PM in the practice's zone) is sent to the owners."
        ),
    )
    signal_settings = models.JSONField(
        "relationship signal settings",
        default=dict,
        blank=True,
        help_text="Changes to the engine's documented defaults (docs/signals.md), e.g. "
        '{"repair_window": 4}. Leave empty to use the defaults.',
    )
    checkin_link_days = models.PositiveSmallIntegerField(
        "check-in links last (days)",
        default=7,
        help_text="How long a client's check-in link works after it is sent.",
    )
    mfa_required = models.BooleanField(
        "staff must use a sign-in code",
        default=False,
        help_text=(
            "Every staff member then signs in with a password and a code from an authenticator "
            "app; those without one are asked to set it up before anything else."
        ),
    )

    objects: ClassVar[PracticeManager] = PracticeManager()

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The practice's clock: its hours are kept and its dates are read in it."""
        return zoneinfo.ZoneInfo(self.time_zone)


class Term(models.Model):
    """A word a client can filter by: a specialty, an approach, a language, an insurance plan."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=80)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Specialty(Term):
    class Meta(Term.Meta):
        verbose_name_plural = "specialties"


class Approach(Term):
    description = models.CharField(max_length=200, blank=True)

    class Meta(Term.Meta):
        verbose_name_plural = "approaches"


class Language(Term):
    pass


class InsurancePlan(Term):
    pass


class Accepting(models.TextChoices):
    YES = "yes", "Accepting new clients"
    WAITLIST = "waitlist", "Waitlist"
    NO = "no", "Not accepting new clients"


class TherapistQuerySet(models.QuerySet["Therapist"]):
    def listed(self) -> "TherapistQuerySet":
        return self.filter(is_listed=True)

    def with_terms(self) -> "TherapistQuerySet":
        return self.prefetch_related("specialties", "approaches", "languages", "insurance_plans")

    def open_to_new_clients(self) -> "TherapistQuerySet":
        return self.exclude(accepting=Accepting.NO)


class Therapist(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="therapist_profile",
        help_text="The sign-in this profile belongs to.",
    )
    slug = models.SlugField(unique=True, help_text="Used in the profile's address.")
    name = models.CharField(max_length=120)
    credentials = models.CharField(max_length=60, blank=True, help_text="e.g. LCSW, LMHC, PhD")
    pronouns = models.CharField(max_length=30, blank=True)
    photo = models.ImageField(upload_to="therapists/", blank=True)
    bio = models.CharField("short bio", max_length=300)
    how_i_work = models.TextField("how I work", blank=True)
    specialties = models.ManyToManyField(Specialty, blank=True)
    approaches = models.ManyToManyField(Approach, blank=True)
    languages = models.ManyToManyField(Language, blank=True)
    offers_in_person = models.BooleanField("in person", default=True)
    offers_telehealth = models.BooleanField("telehealth", default=True)
    licensed_states = models.JSONField(default=list, blank=True, validators=[validate_states])
    session_fee = models.PositiveIntegerField(
        "session fee (USD)",
        null=True,
        blank=True,
        help_text="Self-pay fee for a 50-minute session.",
    )
    sliding_scale = models.BooleanField(default=False)
    insurance_plans = models.ManyToManyField(InsurancePlan, blank=True)
    accepting = models.CharField(max_length=10, choices=Accepting.choices, default=Accepting.YES)
    is_listed = models.BooleanField("shown in the directory", default=True)
    display_order = models.PositiveSmallIntegerField(default=100)
    # Staff-only: sent to a client with their video appointment, never shown on public pages.
    video_room_url = models.URLField(
        "video room address",
        blank=True,
        # A database default too, so code still running from before the column can add therapists.
        db_default="",
        validators=[validate_https_url],
        help_text="The link clients open to join a video session, e.g. your Doxy.me or Zoom room.",
    )

    objects = TherapistQuerySet.as_manager()

    class Meta:
        ordering = ["display_order", "name"]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("practice:therapist", kwargs={"slug": self.slug})

    @property
    def display_name(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    @property
    def first_name(self) -> str:
        return self.name.split(" ")[0]

    @property
    def formats(self) -> list[str]:
        return [
            label
            for offered, label in (
                (self.offers_in_person, "In person"),
                (self.offers_telehealth, "Telehealth"),
            )
            if offered
        ]


class FormerAddress(models.Model):
    """An address a profile had: it keeps leading there (alliance.practice.addresses), because
    links to it live on in e-mails, calendars and search results."""

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(unique=True)
    retired_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "former addresses"

    def __str__(self) -> str:
        return self.slug
