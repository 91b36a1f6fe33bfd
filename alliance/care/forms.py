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
from alliance.clinical.instruments import Condition, Instrument, Item
from alliance.clinical.scoring import unasked_answers

COMMENT_MAX = 2000


@dataclass(frozen=True)
class Block:
    instrument: Instrument
    heading: str
    fields: list[forms.BoundField]


class ItemField(forms.TypedChoiceField):
    """One question; a follow-up carries the condition that asks it, for the page's script,
    and says it in words for a page without the script."""

    def __init__(
        self, *args: Any, enable_when: Condition | None = None, when: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.enable_when = enable_when
        self.when = when


def _when(found: Instrument, item: Item) -> str:
    """'Only if you answered “A little” or “Yes” to the question above.' The script shows a
    follow-up only when it applies; without it, this says when to answer."""
    condition = item.enable_when
    if condition is None:
        return ""
    asked = found.item(condition.item)
    labels = [f"“{o.label}”" for o in asked.scale.options if o.value >= condition.at_least]
    chosen = " or ".join([", ".join(labels[:-1]), labels[-1]] if len(labels) > 1 else labels)
    position = found.items.index(item)
    question = "the question above" if found.items[position - 1] is asked else f"“{asked.text}”"
    return f"Only if you answered {chosen} to {question}."


def _item_field(found: Instrument, item: Item) -> ItemField:
    return ItemField(
        enable_when=item.enable_when,
        when=_when(found, item),
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
        self.cleared: list[str] = []  # follow-ups answered but not asked, shown unanswered
        for found in self.instruments:
            for item in found.items:
                self.fields[item.id] = _item_field(found, item)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for found in self.instruments:
            given = {
                item.id: cleaned[item.id]
                for item in found.items
                if cleaned.get(item.id) is not None
            }
            for problem in unasked_answers(found, given):
                assert problem.item is not None  # each names its follow-up
                self._clear(found, found.item(problem.item), given)
        return cleaned

    def _clear(self, found: Instrument, follow_up: Item, given: dict[str, int]) -> None:
        """Refuse a follow-up that was not asked, and show it unanswered: a chosen radio button
        cannot be unchosen, so leaving it would trap the person."""
        assert follow_up.enable_when is not None
        asked = found.item(follow_up.enable_when.item)
        chosen = {option.value: option.label for option in asked.scale.options}.get(
            given.get(asked.id, -1)
        )
        where = f"you chose “{chosen}”" if chosen else "there is no answer yet"
        self.add_error(
            follow_up.id,
            f"This follows on from “{asked.text}”, where {where}, so it does not apply and your "
            "answer here was cleared. If you meant another answer there, change it and choose "
            "here again.",
        )
        self.data = {key: self.data[key] for key in self.data if key != follow_up.id}
        self.cleared.append(follow_up.id)

    def only_cleared(self) -> bool:
        """Every problem is a follow-up cleared: nothing is missing."""
        return bool(self.cleared) and set(self.errors) <= set(self.cleared)

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
