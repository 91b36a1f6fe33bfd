"""Why an alert was raised, in a sentence per rule, with the figures that made it fire.

The sentences are built from the alert's stored evidence (what the engine saw when it raised it),
so they do not change when the client's signals are recomputed later.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from alliance.care.models import Alert
from alliance.care.sent import Sent, refused_shown
from alliance.care.services import item9_words
from alliance.clinical.signals.references import GUIDANCE

MEASURE_NAMES = {"phq9": "PHQ-9", "gad7": "GAD-7"}
Evidence = Mapping[str, Any]


@dataclass(frozen=True)
class Why:
    reasons: list[str]
    guidance: str
    reference: str
    source: str
    sent: list[Sent]  # refused records kept with a risk alert, as they came


def _number(value: Any) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def _percent_drop(e: Evidence, p: Evidence) -> str:
    share = round(100 * float(e["drop_fraction"]))
    limit = round(100 * float(p.get("rupture_percent_drop", 0.15)))
    level = e.get("level", e["previous"])
    spread = e.get("spread")
    beyond = (
        f", and more than {_number(p.get('sd_multiplier'))} times the client's usual "
        f"session-to-session change of {_number(spread)}"
        if spread is not None
        else ""
    )
    return (
        f"The client's alliance score fell to {e['score']} of 35 from their recent level of "
        f"{_number(level)} ({share}%; the rule is a fall of {limit}% or more{beyond})."
    )


def _held_drop(e: Evidence, p: Evidence) -> str:
    return (
        f"The client's alliance score fell from their level of {_number(e['level'])} to "
        f"{e['first_score']} at session {e['began_session']} and stayed down ({e['score']} of 35 "
        f"now): a fall of 15% or more held over two sessions."
    )


def _sd_drop(e: Evidence, p: Evidence) -> str:
    k = _number(p.get("sd_multiplier"))
    return (
        f"The client's score fell by {e['drop']} points, more than {k} "
        f"standard deviations of their usual session-to-session change (threshold "
        f"{_number(e['threshold'])} points)."
    )


def _client_report(e: Evidence, p: Evidence) -> str:
    said = {1: "a little", 2: "yes"}.get(int(e["client_tension"]), str(e["client_tension"]))
    return f'Asked whether there was tension or a misunderstanding, the client answered "{said}".'


def _therapist_report(e: Evidence, p: Evidence) -> str:
    return "You noted tension or a misunderstanding in the session."


def _no_repair(e: Evidence, p: Evidence) -> str:
    best = e.get("best_score_in_window")
    return (
        f"Since the rupture in session {e['rupture_session']}, the client's score has not come "
        f"back to their earlier level of {_number(e['reference'])} within "
        f"{p.get('repair_window', 3)} sessions"
        + (f" (best since: {best})" if best is not None else "")
        + ", and the client has not said it was talked through well."
    )


def _unseen(e: Evidence, p: Evidence) -> str:
    client_side = (
        "reported tension"
        if (e.get("client_tension") or 0) >= 1
        else f"rated the session {e['client_alliance']} (from a level of "
        f"{_number(e['client_level'])})"
    )
    return (
        f"The client {client_side}, while your rating of the session, {e['therapist_alliance']}, "
        f"did not fall from your previous rating of them ({e['therapist_previous']}, session "
        f"{e['therapist_previous_session']}), and you noted no tension."
    )


def _low_total(e: Evidence, p: Evidence) -> str:
    when = (
        "at their first check-in"
        if e.get("first_check_in")
        else f"after {e['previous']} at session {e['previous_session']}"
    )
    return (
        f"The client's check-in total was {e['score']} of 35 {when}: on average their answers "
        f'were "A little" or less (the level is {p.get("low_alliance_at_most", 17)} or below).'
    )


def _no_improvement(e: Evidence, p: Evidence) -> str:
    measures = str(e["measures"]).split(", ")
    at = max(int(e[f"{measure}_latest_session"]) for measure in measures)
    scores = " and ".join(
        f"{MEASURE_NAMES[measure]} {e[f'{measure}_latest']} ({e[f'{measure}_intake']} at intake)"
        for measure in measures
    )
    amounts = (
        f"a fall of {p.get('phq9_reliable_change', 6)} points on PHQ-9 or "
        f"{p.get('gad7_reliable_change', 4)} on GAD-7"
    )
    return (
        f"At session {at}: {scores}. The client started in the clinical range and has not "
        f"improved reliably by session {e['by_session']} ({amounts})."
    )


def _persistent_gap(e: Evidence, p: Evidence) -> str:
    # Gaps are client minus therapist: say them as "higher" or "lower", never as a minus sign.
    gap, usual = float(e["run_mean_gap"]), float(e["practice_mean_gap"])
    side = "higher" if gap > 0 else "lower"
    usual_side = "higher" if usual >= 0 else "lower"
    return (
        f"For {e['sessions']} sessions in a row the client rated the alliance "
        f"{_number(abs(gap))} points {side} than you on average; in this practice clients "
        f"usually rate {_number(abs(usual))} points {usual_side} than their therapists (SD "
        f"{_number(e['practice_gap_sd'])})."
    )


def _expected(e: Evidence, p: Evidence) -> str:
    name = MEASURE_NAMES.get(str(e["measure"]), str(e["measure"]))
    curve = "the practice's own course" if e.get("curve") == "practice" else "the default course"
    share = round(10 * float(p.get("not_on_track_level", 0.9)))
    return (
        f"{name} is {e['observed']} at session {e['course_session']} of the course, from "
        f"{e['intake']} at intake. By then about {share} in 10 clients who start at "
        f"{e['intake']} score {_number(e['bound'])} or less ({curve}; expected "
        f"{_number(e['expected'])})."
    )


def _reliable_change(e: Evidence, p: Evidence) -> str:
    name = MEASURE_NAMES.get(str(e["measure"]), str(e["measure"]))
    at = f" at session {e['observed_session']}" if "observed_session" in e else ""
    rose = (
        f"{name} rose from {e['intake']} at intake to {e['observed']}{at} (+{e['change']}), a "
        "reliable deterioration."
    )
    if e.get("back_at_session") is not None:
        back = f"It has since come back to {e['back_to']} (from session {e['back_at_session']})."
        return f"{rose} {back}"
    return rose


ITEM9 = "item 9 of the PHQ-9 (thoughts of being better off dead or of self-harm)"


def _at_session(e: Evidence, sentence: str) -> str:
    """The sentence, led by the session it is about when the evidence names one."""
    try:
        day = date.fromisoformat(str(e["session_date"]))
    except (KeyError, ValueError):
        return sentence[0].upper() + sentence[1:]
    return f"At the session of {day:%a} {day.day} {day:%b %Y}, {sentence}"


def _risk(e: Evidence, p: Evidence) -> str:
    value = e.get("phq9_item9")
    answer = e.get("answer") or item9_words(value)
    said = f'"{answer}"' if answer else 'above "Not at all"'
    sentence = _at_session(e, f"{ITEM9} was answered {said}.")
    if value == 0:
        return sentence
    return f"{sentence} Any such answer needs prompt clinical review whatever the total."


def _risk_unreadable(e: Evidence, p: Evidence) -> str:
    return _at_session(
        e,
        f"{ITEM9} arrived as {e.get('sent')}, which is none of its answers, so the record was "
        "refused. Risk answer unreadable — check with the client.",
    )


SENTENCES: dict[str, Callable[[Evidence, Evidence], str]] = {
    "percent_drop": _percent_drop,
    "sd_drop": _sd_drop,
    "held_drop": _held_drop,
    "client_report": _client_report,
    "therapist_report": _therapist_report,
    "no_repair_in_window": _no_repair,
    "unseen_by_therapist": _unseen,
    "persistent_gap": _persistent_gap,
    "expected_response": _expected,
    "reliable_change": _reliable_change,
    "low_total": _low_total,
    "no_reliable_improvement": _no_improvement,
    "phq9_item9": _risk,
    "phq9_item9_unreadable": _risk_unreadable,
}


def alert_why(alert: Alert) -> Why:
    reasons = []
    # One entry per rule, or per rule and measure (care.engine.alerts.evidence_key).
    evidence_by_key = alert.evidence if isinstance(alert.evidence, dict) else {}
    parameters_by_key = alert.parameters if isinstance(alert.parameters, dict) else {}
    for key, evidence in evidence_by_key.items():
        rule = key.split(":")[0]
        sentence = SENTENCES.get(rule)
        parameters = parameters_by_key.get(key, {})
        if sentence is not None:
            try:
                reasons.append(sentence(evidence, parameters))
            except (KeyError, TypeError, ValueError):
                reasons.append(f"Rule: {rule}.")  # evidence from an older engine version
    guidance = GUIDANCE.get(alert.kind)  # type: ignore[call-overload]
    return Why(
        reasons=reasons,
        guidance=guidance.text if guidance else "",
        reference=guidance.reference if guidance else "",
        source=alert.source,
        # An alert not yet saved (nothing refers to it) has no refused records.
        sent=refused_shown(list(alert.refused_responses.all())) if alert.pk else [],
    )
