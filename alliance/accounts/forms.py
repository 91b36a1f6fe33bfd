"""Form pieces every app's forms share; accounts is the lowest app that has Django forms."""

from collections.abc import Mapping, MutableMapping
from datetime import date
from typing import Any, Self, cast

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

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


class ShownQueryDict(QueryDict):
    """A request's data with text no database can store shown as U+FFFD (alliance.lib.text);
    `unstorable` names the fields that had some."""

    unstorable: frozenset[str] = frozenset()

    def __deepcopy__(self, memo: MutableMapping[int, Any]) -> Self:
        copied = super().__deepcopy__(memo)
        copied.unstorable = self.unstorable
        return copied


def storable_query[Q: QueryDict](data: Q) -> Q:
    """`data` itself, or a ShownQueryDict of it when some of its text cannot be stored."""
    unstorable = frozenset(
        name
        for name, items in data.lists()
        if not text_storable(name) or not all(text_storable(item) for item in items)
    )
    if not unstorable:
        return data
    shown = ShownQueryDict(mutable=True, encoding=data.encoding)
    for name, items in data.lists():
        shown.setlist(text_shown(name), [text_shown(item) for item in items])
    shown.unstorable = unstorable
    shown._mutable = False  # as Django gives a request's data
    return cast(Q, shown)  # the same kind: an immutable QueryDict


class StorableText(forms.BaseForm):
    """Refuses, field by field, text no database can store: the form comes back with the field
    named and what was typed, the unstorable characters shown as U+FFFD by the middleware
    (alliance.practice.middleware.storable_text) that keeps every other form safe too.

    Put it first among a form's bases: `class BookingForm(StorableText, forms.Form)`.
    """

    def __init__(self, data: Mapping[str, Any] | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        self.unstorable = data.unstorable if isinstance(data, ShownQueryDict) else frozenset()

    def full_clean(self) -> None:
        super().full_clean()
        if hasattr(self, "cleaned_data"):
            for name in self.unstorable & self.fields.keys():
                self.add_error(name, UNSTORABLE)
