"""Forms built from instrument definitions: the client's check-in and the therapist's rating.

Each item is a radio group named by its stable item id (unique across instruments), so a form
can hold several instruments and a resubmitted page keeps every answer.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms

from alliance.accounts.forms import StorableText
from alliance.care.instruments import client_heading
from alliance.care.models import AlertAction, AlertState
from alliance.clinical.instruments import Instrument, Item

COMMENT_MAX = 2000


@dataclass(frozen=True)
class Block:
    instrument: Instrument
    heading: str
    fields: list[forms.BoundField]


def _item_field(item: Item) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=item.text,
        choices=[(option.value, option.label) for option in item.scale.options],
        coerce=int,
        empty_value=None,
        required=item.required,
        widget=forms.RadioSelect(attrs={"class": "answer"}),
        error_messages={
            "required": "Please choose an answer.",
            "invalid_choice": "Please choose one of the answers shown.",
        },
    )


class InstrumentsForm(StorableText, forms.Form):
    """Every item of `instruments`, in order, each required as its definition says."""

    def __init__(self, instruments: Sequence[Instrument], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instruments = list(instruments)
        for found in self.instruments:
            for item in found.items:
                self.fields[item.id] = _item_field(item)

    def blocks(self) -> list[Block]:
        """For the template: each instrument with its heading and bound fields."""
        return [
            Block(found, self.heading(found), [self[item.id] for item in found.items])
            for found in self.instruments
        ]

    def heading(self, found: Instrument) -> str:
        return found.short_name

    def answers(self) -> dict[str, dict[str, int]]:
        """The cleaned answers by instrument code; unanswered optional items are left out."""
        return {
            found.code: {
                item.id: self.cleaned_data[item.id]
                for item in found.items
                if self.cleaned_data.get(item.id) is not None
            }
            for found in self.instruments
        }


class CheckinForm(InstrumentsForm):
    def heading(self, found: Instrument) -> str:
        return client_heading(found)

    comment = forms.CharField(
        label="Anything you would like your therapist to know?",
        help_text="Optional. Only your therapist and the practice's clinicians read it.",
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AlertMoveForm(StorableText, forms.Form):
    to = forms.ChoiceField(
        choices=[(AlertState.ACKNOWLEDGED, "Acknowledge"), (AlertState.RESOLVED, "Resolve")]
    )
    action = forms.ChoiceField(
        label="What did you do?",
        choices=[("", "Choose one (optional when acknowledging)"), *AlertAction.choices],
        required=False,
    )
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("to") == AlertState.RESOLVED and not cleaned.get("action"):
            self.add_error("action", "Say what you did before resolving the alert.")
        return cleaned
