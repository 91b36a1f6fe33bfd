"""Form fields every app's forms share; accounts is the lowest app that has Django forms."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from alliance.lib.moments import day_checked


def _in_calendar(value: date) -> None:
    try:
        day_checked(value)
    except ValueError as error:
        raise ValidationError(str(error), code="out_of_range") from None


class CalendarDateField(forms.DateField):
    """A date within the years anyone may send (alliance.lib.moments)."""

    default_validators = [_in_calendar]
