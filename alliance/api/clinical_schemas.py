"""What the staff operations take and give: instruments, clients, responses, outcomes."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django import forms
from ninja import Field, Schema

from alliance.api.schemas import MAX_ID, CalendarDate, Moment, ValidationErrorOut, clean_with

Respondent = Literal["client", "therapist"]
ReliableChange = Literal["improved", "deteriorated", "none"]


class OptionOut(Schema):
    value: int
    label: str


class ItemOut(Schema):
    id: str = Field(description="Stable id; the key of this item in a response's `answers`.")
    text: str
    options: list[OptionOut]
    scored: bool = Field(description="Counts towards the total.")
    required: bool


class BandOut(Schema):
    min: int
    max: int
    label: str


class InstrumentOut(Schema):
    code: str = Field(description='e.g. "phq9", "gad7", "rses", "alliance_client".')
    name: str
    version: str
    licence: str
    respondent: Respondent
    items: list[ItemOut]
    min: int = Field(description="The lowest total.")
    max: int = Field(description="The highest total.")
    bands: list[BandOut] = Field(description="Severity bands of the total; empty when none.")


class ClientIn(Schema):
    name: Annotated[str, clean_with(forms.CharField(max_length=120))]
    email: Annotated[str, clean_with(forms.EmailField(max_length=254, required=False))] = ""
    therapist_id: int = Field(ge=1, le=MAX_ID, description="The treating therapist.")


class ClientOut(Schema):
    id: str = Field(description="The client's id, used in the paths below and as FHIR Patient id.")


class ResponseIn(Schema):
    instrument: str = Field(min_length=1, max_length=40)
    answers: dict[str, Any] = Field(
        description='Item id to the chosen option\'s value, e.g. {"phq9_1": 2}. Values are '
        'whole numbers from the item\'s options; 2.0 and "2" are read as 2.'
    )
    appointment_id: str | None = Field(
        None, description="The appointment the answers are about; one session per appointment."
    )
    session_date: CalendarDate | None = Field(
        None,
        description="YYYY-MM-DD in the practice's zone, for a session without an appointment. "
        "Responses with the same date belong to one session.",
    )
    completed_at: Moment | None = Field(
        None, description="When the answers were given; now when left out. Not in the future."
    )


class ResponseOut(Schema):
    id: str
    instrument: str
    total: int
    band: str | None
    prorated: bool = Field(description="The total was estimated from the answered items.")
    flags: list[str] = Field(description='"risk" when PHQ-9 item 9 is answered 1 or more.')
    session_date: date
    completed_at: datetime


class AnswersRefusedOut(ValidationErrorOut):
    risk_alert_id: str | None = Field(
        None,
        description="The risk alert this refused record raised or joined, when its PHQ-9 item 9 "
        "read 1 or more or could not be read; the record is kept as sent for the clinician.",
    )
    risk_alert: str | None = Field(
        None, description="The same in words, for whoever reads the response: null without one."
    )


# What a refused record's 422 says when it raised or joined a risk alert.
RISK_ALERT_SAID = (
    "A risk alert was raised for this client's treating clinician, and this record is kept as "
    "sent for them. Send the corrected record for the same session: it joins that alert."
)


def risk_alert_said(alert_id: str | None) -> dict[str, str | None]:
    """The two fields of AnswersRefusedOut that tell of a risk alert."""
    return {"risk_alert_id": alert_id, "risk_alert": RISK_ALERT_SAID if alert_id else None}


class ExistingOut(Schema):
    detail: str
    id: str = Field(description="The response the session already has.")


class ScoreChangeOut(Schema):
    first: int | None
    last: int | None
    change: int | None
    reliable_change: ReliableChange | None = Field(
        description="Null with fewer than two scores, or for an instrument without a "
        "reliable-change value (e.g. the Rosenberg scale)."
    )


class NhsOut(Schema):
    eligible: bool = Field(description="At least two sessions with PHQ-9 and GAD-7 first and last.")
    caseness_at_start: bool | None
    recovered: bool | None
    reliable_improvement: bool | None
    reliable_deterioration: bool | None
    reliable_recovery: bool | None


class OutcomesOut(Schema):
    phq9: ScoreChangeOut
    gad7: ScoreChangeOut
    rses: ScoreChangeOut
    nhs: NhsOut


class SignalOut(Schema):
    kind: str = Field(
        description='"risk", "rupture", "repair", "unrepaired_rupture", "disagreement", '
        '"low_alliance", "not_on_track", "no_improvement" or "reliable_deterioration".'
    )
    session_date: date = Field(description="The session where the signal arises.")
    rule: str = Field(description='Which rule fired, e.g. "percent_drop"; docs/signals.md.')
    parameters: dict[str, Any] = Field(description="The thresholds the rule used.")
    evidence: dict[str, Any] = Field(description="The numbers that made it fire.")
    source: str = Field(description="The research the rule follows.")
