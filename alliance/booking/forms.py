import re
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import QuerySet

from alliance.accounts.forms import CalendarDateField, StorableText
from alliance.booking.models import (
    AppointmentFormat,
    AppointmentStatus,
    AppointmentType,
    ContactMethod,
    RequestStatus,
    TimeOfDay,
    WorkingHours,
)
from alliance.clients.models import Client
from alliance.practice.models import Therapist

PHONE_CHARACTERS = re.compile(r"^[0-9+().\-\s]+$")


def _digits(phone: str) -> int:
    return sum(character.isdigit() for character in phone)


class ConsultationRequestForm(StorableText, forms.Form):
    # A fresh token with every blank form; the service records a token once (see services.py).
    submission_token = forms.UUIDField(widget=forms.HiddenInput)
    name = forms.CharField(
        label="Your name", max_length=120, help_text="A first name is fine.", strip=True
    )
    email = forms.EmailField(label="E-mail", required=False, max_length=254)
    phone = forms.CharField(label="Phone", required=False, max_length=40)
    preferred_contact = forms.ChoiceField(
        label="Which would you prefer?",
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        initial=ContactMethod.EMAIL,
    )
    therapist = forms.ModelChoiceField(
        Therapist.objects.none(),
        label="Who would you like to talk with?",
        required=False,
        to_field_name="slug",
        empty_label="Help me choose",
    )
    message = forms.CharField(
        label="What brings you here? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only if you'd like to. A sentence is plenty; you can say more when we talk.",
    )
    times = forms.MultipleChoiceField(
        label="Times that usually suit you",
        choices=TimeOfDay.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    times_note = forms.CharField(
        label="Anything else about timing? (optional)", required=False, max_length=200
    )
    consent = forms.BooleanField(
        label="You may contact me about this request by the way I chose above.",
        error_messages={"required": "We need your permission to get in touch."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        therapist_field = self.fields["therapist"]
        assert isinstance(therapist_field, forms.ModelChoiceField)
        therapist_field.queryset = Therapist.objects.listed().open_to_new_clients()

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data["phone"]
        if phone and (not PHONE_CHARACTERS.match(phone) or not 7 <= _digits(phone) <= 15):
            raise forms.ValidationError("Please enter a phone number, e.g. (239) 555-0142.")
        return phone

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        email, phone = cleaned.get("email"), cleaned.get("phone")
        if "email" in self.errors or "phone" in self.errors:
            return cleaned
        if not email and not phone:
            message = "Please give an e-mail address or a phone number so we can reach you."
            self.add_error("email", message)
            self.add_error("phone", message)
            return cleaned
        preferred = cleaned.get("preferred_contact")
        if preferred in (ContactMethod.PHONE, ContactMethod.TEXT) and not phone:
            self.add_error("phone", "You asked us to call or text: please add a phone number.")
        if preferred == ContactMethod.EMAIL and not email:
            self.add_error("email", "You asked us to e-mail: please add an e-mail address.")
        return cleaned


class RequestStatusForm(StorableText, forms.Form):
    status = forms.ChoiceField(choices=RequestStatus.choices, label="Status")
    staff_note = forms.CharField(
        label="Note for the team",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Seen only by staff.",
    )

    def __init__(self, *args: Any, answered: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answered = answered

    def clean_status(self) -> str:
        status: str = self.cleaned_data["status"]
        if self.answered and status == RequestStatus.NEW:
            raise forms.ValidationError(
                "This request already had a first response, so it cannot be new again."
            )
        return status


class BookingForm(StorableText, forms.Form):
    """The person's details for one chosen time. The time itself travels in the address."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    name = forms.CharField(label="Your name", max_length=120, help_text="A first name is fine.")
    email = forms.EmailField(
        label="E-mail",
        max_length=254,
        help_text="We send the confirmation and a link to change or cancel here.",
    )
    phone = forms.CharField(label="Phone (optional)", required=False, max_length=40)
    format = forms.ChoiceField(
        label="How would you like to meet?", choices=[], widget=forms.RadioSelect
    )
    consent = forms.BooleanField(
        label="You may contact me about this appointment by e-mail.",
        error_messages={"required": "We need your permission to send the confirmation."},
    )

    def __init__(self, *args: Any, formats: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        format_field = self.fields["format"]
        assert isinstance(format_field, forms.ChoiceField)
        format_field.choices = formats
        if len(formats) == 1:
            format_field.initial = formats[0][0]

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data["phone"]
        if phone and (not PHONE_CHARACTERS.match(phone) or not 7 <= _digits(phone) <= 15):
            raise forms.ValidationError("Please enter a phone number, e.g. (239) 555-0142.")
        return phone


def local_datetime(day: date, moment: time, zone: ZoneInfo) -> datetime:
    """A wall-clock time in `zone`, refusing the hour that does not exist when clocks go
    forward (it would silently become another time)."""
    value = datetime.combine(day, moment, zone)
    if value.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value.replace(tzinfo=None):
        raise forms.ValidationError(
            "That time does not exist on that day: the clocks go forward then."
        )
    return value


class LocalStartForm(StorableText, forms.Form):
    """A date and a wall-clock start in the practice's zone, cleaned into `start` (aware)."""

    day = CalendarDateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label="Start", widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args: Any, zone: ZoneInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("day") and cleaned.get("start_time"):
            try:
                cleaned["start"] = local_datetime(cleaned["day"], cleaned["start_time"], self.zone)
            except forms.ValidationError as error:
                self.add_error("start_time", error)
        return cleaned


class StaffBookingForm(LocalStartForm):
    """The front desk books for anyone, outside working hours once they confirm, never on top of
    another appointment; a series is checked occurrence by occurrence before anything is saved."""

    therapist = forms.ModelChoiceField(Therapist.objects.all(), to_field_name="slug")
    appointment_type = forms.ModelChoiceField(
        AppointmentType.objects.all(), to_field_name="slug", label="Type"
    )
    # Chosen from the search results the page lists (radio buttons named "client"), never from
    # a list of every client: the field only checks the one sent is one the person may book.
    client = forms.ModelChoiceField(
        Client.objects.none(),
        required=False,
        to_field_name="uuid",
        label="Client",
        widget=forms.HiddenInput,
    )
    find = forms.CharField(
        label="Find a client",
        required=False,
        max_length=100,
        help_text="Part of a name, an e-mail or a phone number.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    name = forms.CharField(label="New client's name", required=False, max_length=120)
    email = forms.EmailField(label="New client's e-mail", required=False)
    phone = forms.CharField(label="New client's phone", required=False, max_length=40)
    format = forms.ChoiceField(choices=AppointmentFormat.choices, widget=forms.RadioSelect)
    repeat = forms.TypedChoiceField(
        choices=[(0, "Does not repeat"), (1, "Weekly"), (2, "Fortnightly")],
        coerce=int,
        initial=0,
        label="Repeat",
    )
    occurrences = forms.IntegerField(
        min_value=1, max_value=26, initial=1, label="Number of sessions"
    )
    skip_conflicts = forms.BooleanField(
        required=False, label="Book the free dates and leave out the ones that conflict"
    )
    outside_hours_ok = forms.BooleanField(
        required=False, label="Yes, book outside their working hours"
    )

    def __init__(self, *args: Any, clients: "QuerySet[Client]", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client_field = self.fields["client"]
        assert isinstance(client_field, forms.ModelChoiceField)
        client_field.queryset = clients

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("client") and not cleaned.get("name"):
            self.add_error("name", "Choose a client or give the new client's name.")
        return cleaned


MARK_CHOICES = [
    (AppointmentStatus.ARRIVED, "Arrived"),
    (AppointmentStatus.FULFILLED, "Attended"),
    (AppointmentStatus.NOSHOW, "No-show"),
    (AppointmentStatus.ENTERED_IN_ERROR, "Entered in error"),
]


class AppointmentMarkForm(StorableText, forms.Form):
    status = forms.ChoiceField(choices=MARK_CHOICES)

    def __init__(self, *args: Any, current: str | None = None, **kwargs: Any) -> None:
        """`current`: the appointment's status, shown selected; one that cannot be chosen here
        (booked, say) is named by an empty first choice, so saving it asks what happened."""
        super().__init__(*args, **kwargs)
        if current is None:
            return
        status_field = self.fields["status"]
        assert isinstance(status_field, forms.ChoiceField)
        if current in dict(MARK_CHOICES):
            status_field.initial = current
        else:
            label = AppointmentStatus(current).label
            status_field.choices = [("", f"{label}: choose what happened"), *MARK_CHOICES]


class AppointmentMoveForm(LocalStartForm):
    day = CalendarDateField(label="New date", widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label="New start", widget=forms.TimeInput(attrs={"type": "time"}))


class WaitlistForm(StorableText, forms.Form):
    submission_token = forms.UUIDField(widget=forms.HiddenInput)
    name = forms.CharField(label="Your name", max_length=120, help_text="A first name is fine.")
    email = forms.EmailField(
        label="E-mail", max_length=254, help_text="We write here when a time opens."
    )
    phone = forms.CharField(label="Phone (optional)", required=False, max_length=40)
    consent = forms.BooleanField(
        label="You may e-mail me when a time opens.",
        error_messages={"required": "We need your permission to write to you."},
    )

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data["phone"]
        if phone and (not PHONE_CHARACTERS.match(phone) or not 7 <= _digits(phone) <= 15):
            raise forms.ValidationError("Please enter a phone number, e.g. (239) 555-0142.")
        return phone


class WorkingHoursForm(StorableText, forms.ModelForm["WorkingHours"]):
    class Meta:
        model = WorkingHours
        fields = ["weekday", "start", "end", "format", "location"]
        widgets = {
            "start": forms.TimeInput(attrs={"type": "time"}),
            "end": forms.TimeInput(attrs={"type": "time"}),
        }
        help_texts = {"location": "Optional, e.g. the office or room."}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] <= cleaned["start"]:
            self.add_error("end", "The end must be after the start.")
        return cleaned


class TimeOffForm(StorableText, forms.Form):
    first_day = CalendarDateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    last_day = CalendarDateField(
        label="Until (inclusive)", widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label="Note for staff (optional)", required=False, max_length=120)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", "The last day must not be before the first.")
        return cleaned
