"""Form pieces every app's forms share; accounts is the lowest app that has Django forms."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict

from alliance.lib.moments import day_checked
from alliance.lib.text import UNSTORABLE, text_shown, text_storable


def _in_calendar(value: date) -> None:
    try:
        day_checked(value)
    except ValueError as error:
        raise ValidationError(str(error), code="out_of_range") from None


class CalendarDateField(forms.DateField):
    """A date within the years anyone may send (alliance.lib.moments)."""

    default_validators = [_in_calendar]


def storable_lists[D: MultiValueDict[str, Any]](data: D) -> tuple[D, frozenset[str]]:
    """`data` with unstorable text shown as U+FFFD, and the names of the fields that had some."""
    unstorable = frozenset(
        name
        for name, items in data.lists()
        if any(isinstance(item, str) and not text_storable(item) for item in items)
    )
    if not unstorable:
        return data, unstorable
    shown = data.copy()  # a QueryDict's copy can be changed
    for name in unstorable:
        shown.setlist(name, [text_shown(item) for item in shown.getlist(name)])
    return shown, unstorable


class StorableText(forms.BaseForm):
    """Refuses, field by field, text no database can store (alliance.lib.text): the form comes
    back with the field named and what was typed, the unstorable characters shown as U+FFFD.

    Put it first among a form's bases: `class BookingForm(StorableText, forms.Form)`.
    """

    def __init__(self, data: Mapping[str, Any] | None = None, *args: Any, **kwargs: Any) -> None:
        self.unstorable: frozenset[str] = frozenset()
        # Only a request's data is decoded from bytes; a dict comes from our own code.
        if isinstance(data, MultiValueDict):
            data, self.unstorable = storable_lists(data)
        super().__init__(data, *args, **kwargs)

    def full_clean(self) -> None:
        super().full_clean()
        if hasattr(self, "cleaned_data"):
            for name in self.unstorable & self.fields.keys():
                self.add_error(name, UNSTORABLE)
