"""What goes in and out of the API. The OpenAPI document is generated from these classes.

Input rules for a visitor's details are the booking page's (alliance.booking.forms.BookingForm):
the same lengths, the same e-mail check, the same phone check, so the two doors accept the same
people.
"""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime

from alliance.booking.forms import PHONE_CHARACTERS
from alliance.lib.moments import day_checked, moment_checked
from alliance.lib.text import UNSTORABLE, text_storable

# The largest id a database row can have; a bigger number cannot name a therapist.
MAX_ID = 2**63 - 1

Format = Literal["in_person", "telehealth"]
AcceptingNewClients = Literal["yes", "waitlist", "no"]


def clean_with(field: forms.Field) -> AfterValidator:
    """Validate with a Django form field, so the API and the booking page agree, refusing text
    no database can store as the pages do (alliance.accounts.forms.StorableText)."""

    def clean(value: str) -> str:
        if not text_storable(value):
            raise ValueError(UNSTORABLE)
        try:
            cleaned: str = field.clean(value)
        except DjangoValidationError as error:
            raise ValueError(" ".join(error.messages)) from None
        return cleaned

    return AfterValidator(clean)


def _phone(value: str) -> str:
    if value and (
        not PHONE_CHARACTERS.match(value) or not 7 <= sum(c.isdigit() for c in value) <= 15
    ):
        raise ValueError("Please enter a phone number, e.g. (239) 555-0142.")
    return value


CalendarDate = Annotated[date, AfterValidator(day_checked)]
Moment = Annotated[AwareDatetime, AfterValidator(moment_checked)]
TypeSlug = Annotated[
    str,
    Field(
        min_length=1,
        max_length=50,
        pattern=r"^[-a-zA-Z0-9_]+$",
        description='An appointment type anyone may book, e.g. "consultation".',
    ),
]


# Out ------------------------------------------------------------------------------------------


class TherapistOut(Schema):
    id: int
    name: str
    accepting_new_clients: AcceptingNewClients = Field(
        description='With "waitlist" a consultation can still be booked; "no" refuses bookings.'
    )
    specialties: list[str] = Field(description='Slugs, e.g. ["anxiety", "grief"].')
    approaches: list[str] = Field(description='Slugs, e.g. ["cbt", "emdr"].')
    languages: list[str] = Field(description='Slugs, e.g. ["english", "spanish"].')
    formats: list[Format] = Field(description="How this therapist meets clients.")
    timezone: str = Field(description="The practice's IANA time zone, e.g. America/New_York.")


class WeeklyHoursOut(Schema):
    weekday: int = Field(ge=0, le=6, description="0 is Monday, 6 is Sunday.")
    start: str = Field(description="Wall-clock time in the practice's zone, HH:MM.")
    end: str = Field(description="Wall-clock time in the practice's zone, HH:MM.")
    format: Format


class SpanOut(Schema):
    start: datetime = Field(description="ISO 8601 with the practice's UTC offset.")
    end: datetime = Field(description="ISO 8601 with the practice's UTC offset.")


class AvailabilityOut(Schema):
    timezone: str = Field(description="The practice's IANA time zone; `weekly` is in it.")
    weekly: list[WeeklyHoursOut]
    time_off: list[SpanOut] = Field(
        description="Time away from now on: the therapist's own and the practice's closures."
    )


class BookingOut(Schema):
    id: str = Field(description="The appointment's id.")
    start: datetime
    end: datetime
    status: str = Field(description='FHIR Appointment.status, "booked" for a new booking.')
    format: Format


class DetailOut(Schema):
    detail: str


class TakenOut(Schema):
    detail: str
    alternatives: list[SpanOut] = Field(description="The next free times of the same kind.")


class FieldErrorOut(Schema):
    loc: list[str | int] = Field(description='Where the problem is, e.g. ["query", "type"].')
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut]


# In -------------------------------------------------------------------------------------------


class SlotsQuery(Schema):
    type: TypeSlug = "consultation"
    start: CalendarDate = Field(description="First day, YYYY-MM-DD, in the practice's zone.")
    end: CalendarDate = Field(
        description="Last day, included. At most 62 days from start to end, both included."
    )


class BookingIn(Schema):
    therapist_id: int = Field(ge=1, le=MAX_ID)
    type: TypeSlug
    start: Moment = Field(
        description="One of the free times from /slots, ISO 8601 with its UTC offset."
    )
    name: Annotated[str, clean_with(forms.CharField(max_length=120))] = Field(
        description="A first name is fine."
    )
    email: Annotated[str, clean_with(forms.EmailField(max_length=254))] = Field(
        description="The confirmation and a link to change or cancel go here."
    )
    phone: Annotated[
        str, clean_with(forms.CharField(max_length=40, required=False)), AfterValidator(_phone)
    ] = ""
    format: Format | None = Field(
        None,
        description="How to meet. Left out: the format the therapist offers at that time, "
        "telehealth when both are offered.",
    )


def field_error(location: tuple[str, ...], message: str) -> dict[str, Any]:
    """One entry of a 422 body, in the shape ninja gives its own validation errors."""
    return {"loc": list(location), "msg": message, "type": "value_error"}
