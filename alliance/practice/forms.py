import zoneinfo
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from alliance.accounts.forms import StorableText
from alliance.accounts.models import CLINICAL_ROLES, User
from alliance.clinical.signals.parameters import SignalSettings
from alliance.practice.models import (
    US_STATES,
    Accepting,
    Approach,
    FormerAddress,
    Language,
    Practice,
    Specialty,
    Therapist,
    TherapistQuerySet,
)
from alliance.practice.photos import photo_normalize


class Format:
    IN_PERSON = "in-person"
    TELEHEALTH = "telehealth"
    CHOICES = [("", "Any format"), (IN_PERSON, "In person"), (TELEHEALTH, "Telehealth")]


class DirectoryFilterForm(forms.Form):
    """The directory's filters, read from the query string so they work without JavaScript."""

    accepting = forms.BooleanField(required=False, label="Accepting new clients now")
    specialty = forms.ModelChoiceField(
        Specialty.objects.all(), required=False, to_field_name="slug", empty_label="Any focus"
    )
    approach = forms.ModelChoiceField(
        Approach.objects.all(), required=False, to_field_name="slug", empty_label="Any approach"
    )
    language = forms.ModelChoiceField(
        Language.objects.all(), required=False, to_field_name="slug", empty_label="Any language"
    )
    format = forms.ChoiceField(choices=Format.CHOICES, required=False)

    def filter(self, therapists: TherapistQuerySet) -> TherapistQuerySet:
        """Apply every filter that was valid; an invalid one is reported and ignored."""
        self.is_valid()
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        if data.get("accepting"):
            therapists = therapists.filter(accepting=Accepting.YES)
        for field, relation in (
            ("specialty", "specialties"),
            ("approach", "approaches"),
            ("language", "languages"),
        ):
            if data.get(field):
                therapists = therapists.filter(**{relation: data[field]})
        if data.get("format") == Format.IN_PERSON:
            therapists = therapists.filter(offers_in_person=True)
        elif data.get("format") == Format.TELEHEALTH:
            therapists = therapists.filter(offers_telehealth=True)
        return therapists

    @property
    def is_filtered(self) -> bool:
        return any(self.data.get(name) for name in self.fields)


class StatesField(forms.CharField):
    """Licensed states typed as "FL, GA" and stored as ["FL", "GA"]."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        codes = [code.strip().upper() for code in text.replace(";", ",").split(",") if code.strip()]
        unknown = [code for code in codes if code not in US_STATES]
        if unknown:
            raise forms.ValidationError(
                "Not a US state code: %(codes)s. Use two letters such as FL or NY.",
                params={"codes": ", ".join(unknown)},
            )
        return list(dict.fromkeys(codes))


class HoursField(forms.CharField):
    """Reminder hours typed as "48, 24" and stored as [48, 24], longest first, each once."""

    message = "List whole hours between 1 and 336, separated by commas, e.g. 48, 24."

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(str(hours) for hours in value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[int]:  # type: ignore[override]
        text = (super().to_python(value) or "").strip("[] ")
        try:
            hours = {int(part) for part in text.replace(";", ",").split(",") if part.strip()}
        except ValueError:
            raise forms.ValidationError(self.message) from None
        if not all(1 <= each <= 24 * 14 for each in hours):
            raise forms.ValidationError(self.message)
        return sorted(hours, reverse=True)


class ZoneInput(forms.TextInput):
    """A text box that offers the IANA zone names as one types (a <datalist>): quicker than a
    600-entry select, and the model's validator still refuses anything else."""

    def __init__(self) -> None:
        super().__init__(attrs={"list": "time-zones", "autocomplete": "off", "spellcheck": "false"})

    def render(self, *args: Any, **kwargs: Any) -> SafeString:
        options = format_html_join("", '<option value="{}">', ((zone,) for zone in ZONES))
        return format_html(
            '{}<datalist id="time-zones">{}</datalist>', super().render(*args, **kwargs), options
        )


ZONES = sorted(zone for zone in zoneinfo.available_timezones() if "/" in zone)


# The engine's own default, for the one engine setting the practice page offers.
NO_IMPROVEMENT_BY_SESSION = SignalSettings().no_improvement_by_session


class PracticeForm(StorableText, forms.ModelForm[Practice]):
    reminder_hours = HoursField(
        label="Reminder hours", help_text="Hours before each appointment, e.g. 48, 24."
    )
    # Kept in signal_settings with the engine's other settings (docs/signals.md).
    no_improvement_by_session = forms.IntegerField(
        label="Flag no improvement at session",
        min_value=2,
        max_value=52,
        help_text=(
            "A client who started in the clinical range on PHQ-9 or GAD-7 and has not improved "
            f"reliably by this session is flagged to their therapist. Usually "
            f"{NO_IMPROVEMENT_BY_SESSION}."
        ),
    )

    class Meta:
        model = Practice
        fields = [
            "name",
            "tagline",
            "phone",
            "email",
            "address",
            "time_zone",
            "crisis_text",
            "late_cancel_hours",
            "reminder_hours",
            "waitlist_offer_count",
            "designated_clinician",
            "checkin_link_days",
            "mfa_required",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3}), "time_zone": ZoneInput()}
        help_texts = {
            "time_zone": "Start typing a city, e.g. Chicago, and choose America/Chicago.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Risk alerts go to a clinician: an active owner or therapist, never the front desk.
        clinician = self.fields["designated_clinician"]
        assert isinstance(clinician, forms.ModelChoiceField)
        clinician.queryset = User.objects.filter(is_active=True, role__in=CLINICAL_ROLES)
        clinician.empty_label = "No one chosen: the owners are told"
        chosen = (self.instance.signal_settings or {}).get("no_improvement_by_session")
        self.fields["no_improvement_by_session"].initial = chosen or NO_IMPROVEMENT_BY_SESSION

    def save(self, commit: bool = True) -> Practice:
        practice = super().save(commit=False)
        practice.signal_settings = {
            **(practice.signal_settings or {}),
            "no_improvement_by_session": self.cleaned_data["no_improvement_by_session"],
        }
        if commit:
            practice.save()
        return practice


class TherapistForm(StorableText, forms.ModelForm[Therapist]):
    """A therapist edits their own profile; the owner also decides who is listed and where."""

    OWNER_ONLY = ("slug", "is_listed", "display_order")

    licensed_states = StatesField(
        required=False, help_text="Two-letter codes separated by commas, e.g. FL, GA."
    )

    class Meta:
        model = Therapist
        fields = [
            "name",
            "slug",
            "credentials",
            "pronouns",
            "photo",
            "bio",
            "how_i_work",
            "accepting",
            "specialties",
            "approaches",
            "languages",
            "offers_in_person",
            "offers_telehealth",
            "video_room_url",
            "licensed_states",
            "session_fee",
            "sliding_scale",
            "insurance_plans",
            "is_listed",
            "display_order",
        ]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
            "how_i_work": forms.Textarea(attrs={"rows": 8}),
            "specialties": forms.CheckboxSelectMultiple,
            "approaches": forms.CheckboxSelectMultiple,
            "languages": forms.CheckboxSelectMultiple,
            "insurance_plans": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, is_owner: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not is_owner:
            for name in self.OWNER_ONLY:
                del self.fields[name]

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        former = (
            FormerAddress.objects.filter(slug=slug)
            .exclude(therapist=self.instance.pk)
            .select_related("therapist")
            .first()
        )
        if former is not None:
            raise forms.ValidationError(
                f"This address was in use before and still leads to {former.therapist.name}'s "
                "profile. Choose another."
            )
        return slug

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if isinstance(photo, UploadedFile):
            return photo_normalize(photo)
        return photo

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("offers_in_person") and not cleaned.get("offers_telehealth"):
            self.add_error(
                "offers_telehealth", "Offer at least one format: in person or telehealth."
            )
        return cleaned
