"""The clinical core: questionnaires, their scores and what a change in score means.

Pure Python with no Django import (the import contracts in pyproject.toml enforce it), fed
and answering plain data, so that every clinical rule can be tested directly against
hand-worked examples:

- ``instruments``: an instrument is data, one TOML file each (``definitions/`` holds the ones whose
  licence lets us ship them; a practice adds its own licensed ones from a directory of its own).
  The loader checks every field and names the file and field of anything wrong.
- ``scoring``: answers to a score (total, band, proration, flags such as PHQ-9 item 9, subscales).
- ``change``: reliable change and clinical significance (Jacobson & Truax 1991).
- ``nhs``: the NHS Talking Therapies paired-outcome definitions for PHQ-9 and GAD-7.
- ``signals``: the relationship engine: rupture, repair, disagreement, not on track.
- ``plan``: which instruments a session asks for, from an episode's measurement plan.
- ``fhir``: FHIR R4 Questionnaire, QuestionnaireResponse and score Observation, as plain dicts.

docs/instruments.md describes the definition format and the scoring rules with their sources.
"""

from alliance.clinical.instruments import (
    Instrument,
    InstrumentError,
    Item,
    load_instruments,
    shipped_instruments,
)
from alliance.clinical.scoring import AnswerError, Problem, Score, caseness, score

__all__ = [
    "AnswerError",
    "Instrument",
    "InstrumentError",
    "Item",
    "Problem",
    "Score",
    "caseness",
    "load_instruments",
    "score",
    "shipped_instruments",
]
