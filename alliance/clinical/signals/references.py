"""Where each rule comes from, and what the research suggests doing about each kind of signal.

``SOURCES`` is the citation every signal carries; ``GUIDANCE`` the one or two sentences the alert
shows under "why", with its reference, so that the page and docs/signals.md say the same thing.
Full references are in docs/signals.md.
"""

from dataclasses import dataclass

from alliance.clinical.signals.model import Kind, Scalar
from alliance.clinical.signals.parameters import SignalSettings

# Rule ids, stable: stored with every signal and alert, so never rename one.
PHQ9_ITEM9 = "phq9_item9"
PERCENT_DROP = "percent_drop"
SD_DROP = "sd_drop"
HELD_DROP = "held_drop"
CLIENT_REPORT = "client_report"
THERAPIST_REPORT = "therapist_report"
SCORE_RECOVERED = "score_recovered"
TALKED_THROUGH = "talked_through"
NO_REPAIR_IN_WINDOW = "no_repair_in_window"
UNSEEN_BY_THERAPIST = "unseen_by_therapist"
PERSISTENT_GAP = "persistent_gap"
EXPECTED_RESPONSE = "expected_response"
RELIABLE_CHANGE = "reliable_change"
LOW_TOTAL = "low_total"
NO_RELIABLE_IMPROVEMENT = "no_reliable_improvement"

SOURCES: dict[str, str] = {
    PHQ9_ITEM9: "PHQ-9 item 9 (Kroenke, Spitzer & Williams 2001): any answer above "
    "'Not at all' needs prompt clinical review",
    PERCENT_DROP: "Strauss et al. 2006 (the 15% threshold is unconfirmed)",
    SD_DROP: "Stiles et al. 2004; Gumz et al. 2012",
    HELD_DROP: "Stiles et al. 2004; Gumz et al. 2012 (a fall over consecutive sessions)",
    CLIENT_REPORT: "Safran & Muran 2000; Post-Session Questionnaire idea (Muran & Safran)",
    THERAPIST_REPORT: "Safran & Muran 2000; Post-Session Questionnaire idea (Muran & Safran)",
    SCORE_RECOVERED: "Stiles et al. 2004; Gumz et al. 2012",
    TALKED_THROUGH: "Safran & Muran 2000; Eubanks, Muran & Safran 2018",
    NO_REPAIR_IN_WINDOW: "McLaughlin et al. 2014; Safran & Muran 2000",
    UNSEEN_BY_THERAPIST: "Tryon, Blackwell & Hammel 2007",
    PERSISTENT_GAP: "Tryon, Blackwell & Hammel 2007",
    EXPECTED_RESPONSE: "Finch, Lambert & Schaalje 2001",
    RELIABLE_CHANGE: "NHS Talking Therapies Manual (PHQ-9 6 points, GAD-7 4); "
    "Jacobson & Truax 1991",
    LOW_TOTAL: "Sharf, Primavera & Diener 2010; Horvath, Del Re, Flückiger & Symonds 2011",
    NO_RELIABLE_IMPROVEMENT: "Haas, Hill, Lambert & Morrell 2002; Lutz et al. 2014; Lambert "
    "2015; NHS Talking Therapies Manual (caseness, reliable change)",
}


# Kroenke, Spitzer & Williams 2001: any answer of 1 or more on PHQ-9 item 9 needs prompt review.
# Deliberately not a setting: this is the one signal that must never be missed, so no practice may
# raise the bar.
ITEM9_AT_LEAST = 1


# The last settings seen and their table. Compared by identity: hashing a settings object means
# hashing all its fields, which every detector of every series would otherwise pay for.
_LAST: list[tuple[SignalSettings, dict[str, dict[str, Scalar]]]] = []


def rule_parameters(settings: SignalSettings) -> dict[str, dict[str, Scalar]]:
    """The settings each rule uses, as its signals' ``parameters``.

    Built once per settings object and shared by every signal of the rule: a full recompute
    makes about a million signals, and one dict per rule instead of one per signal saves the
    allocations and the pickling between processes. So treat ``parameters`` as read-only
    (``Signal.as_dict`` copies it).
    """
    if _LAST and _LAST[0][0] is settings:
        return _LAST[0][1]
    table = _rule_parameters(settings)
    _LAST[:] = [(settings, table)]
    return table


def _rule_parameters(settings: SignalSettings) -> dict[str, dict[str, Scalar]]:
    tension: dict[str, Scalar] = {"tension_at_least": settings.tension_at_least}
    repair: dict[str, Scalar] = {
        "repair_window": settings.repair_window,
        "talked_through_at_least": settings.talked_through_at_least,
        "tension_at_least": settings.tension_at_least,
    }
    return {
        PHQ9_ITEM9: {"item9_at_least": ITEM9_AT_LEAST},
        PERCENT_DROP: {
            "rupture_percent_drop": settings.rupture_percent_drop,
            "sd_multiplier": settings.sd_multiplier,
            "min_own_changes": settings.min_own_changes,
        },
        SD_DROP: {
            "sd_multiplier": settings.sd_multiplier,
            "min_own_changes": settings.min_own_changes,
            "min_practice_observations": settings.min_practice_observations,
        },
        HELD_DROP: {
            "rupture_percent_drop": settings.rupture_percent_drop,
            "sd_multiplier": settings.sd_multiplier,
            "min_own_changes": settings.min_own_changes,
        },
        CLIENT_REPORT: tension,
        THERAPIST_REPORT: tension,
        SCORE_RECOVERED: repair,
        TALKED_THROUGH: repair,
        NO_REPAIR_IN_WINDOW: repair,
        UNSEEN_BY_THERAPIST: {"tension_at_least": settings.tension_at_least},
        PERSISTENT_GAP: {
            "gap_sd_multiplier": settings.gap_sd_multiplier,
            "gap_consecutive": settings.gap_consecutive,
            "min_practice_observations": settings.min_practice_observations,
        },
        EXPECTED_RESPONSE: {
            "not_on_track_level": settings.not_on_track_level,
            "min_practice_episodes": settings.min_practice_episodes,
            "min_scores_per_episode": settings.min_scores_per_episode,
        },
        RELIABLE_CHANGE: {
            "phq9_reliable_change": settings.phq9_reliable_change,
            "gad7_reliable_change": settings.gad7_reliable_change,
        },
        LOW_TOTAL: {"low_alliance_at_most": settings.low_alliance_at_most},
        NO_RELIABLE_IMPROVEMENT: {
            "no_improvement_by_session": settings.no_improvement_by_session,
            "phq9_reliable_change": settings.phq9_reliable_change,
            "gad7_reliable_change": settings.gad7_reliable_change,
        },
    }


@dataclass(frozen=True, slots=True)
class Guidance:
    text: str
    reference: str


GUIDANCE: dict[Kind, Guidance] = {
    "risk": Guidance(
        "The client said they have had thoughts of being better off dead or of hurting "
        "themselves. Review it before anything else: ask about it directly, assess the risk and "
        "agree a safety plan where needed. Asking about suicide does not put the idea there.",
        "Kroenke, Spitzer & Williams 2001; Dazzi et al. 2014",
    ),
    "rupture": Guidance(
        "Raise it openly with the client: say what you noticed, invite them to say what did not "
        "feel right, and own your part in it (metacommunication). Ruptures that are noticed and "
        "worked through go with better outcomes.",
        "Safran & Muran 2000; Eubanks, Muran & Safran 2018",
    ),
    "repair": Guidance(
        "The rupture looks worked through. Repair is associated with better outcomes "
        "(r = .29); naming with the client what helped can strengthen the alliance further.",
        "Eubanks, Muran & Safran 2018; Safran & Muran 2000",
    ),
    "unrepaired_rupture": Guidance(
        "A rupture has not been worked through within the window. Unrepaired ruptures predict "
        "worse outcomes: come back to it with the client, and consider taking it to "
        "supervision.",
        "McLaughlin et al. 2014; Safran & Muran 2000",
    ),
    "disagreement": Guidance(
        "You and the client see the sessions differently. The two views agree only modestly "
        "and the client's predicts outcome better: ask the client how the sessions are for "
        "them rather than relying on your own impression.",
        "Tryon, Blackwell & Hammel 2007",
    ),
    "low_alliance": Guidance(
        'The client rates the relationship low: most answers "A little" or less. A weak '
        "early alliance predicts dropping out. Ask the client openly how the sessions are for "
        "them and what would make them more useful, and agree the goals and the way of working "
        "together.",
        "Sharf, Primavera & Diener 2010; Horvath, Del Re, Flückiger & Symonds 2011",
    ),
    "not_on_track": Guidance(
        "The client's score is higher than about 9 in 10 clients who started at the same score "
        "had at this point in their course. Review progress and the plan with the client "
        "(goals, approach, the relationship, other support): feedback helps most for clients "
        "who are not on track.",
        "Finch, Lambert & Schaalje 2001; de Jong et al. 2021; Barkham et al. 2023",
    ),
    "no_improvement": Guidance(
        "The client started in the clinical range and has not improved reliably by this "
        "session. Early response predicts outcome: review the goals, the approach and the "
        "relationship with the client, and consider what else might help. Progress feedback "
        "helps most for clients who are off track.",
        "Haas, Hill, Lambert & Morrell 2002; Lutz et al. 2014; Lambert 2015",
    ),
    "reliable_deterioration": Guidance(
        "The score rose by more than measurement error explains since the start. Talk with the "
        "client about what has changed, check risk, and review the plan; consider consulting a "
        "colleague.",
        "Jacobson & Truax 1991; NHS Talking Therapies Manual",
    ),
}
