"""The engine's parameters: one frozen dataclass, each field a practice setting on the Django side.

Each default carries its source or the reason we chose it; docs/signals.md lists them all. A figure
we could not check against its primary source stays a named setting here, never a literal inside a
detector.
"""

from dataclasses import dataclass, fields

from alliance.clinical.nhs import GAD7_RELIABLE_CHANGE, PHQ9_RELIABLE_CHANGE


@dataclass(frozen=True, slots=True)
class SignalSettings:
    # Rupture (a): a fall of at least this fraction of the previous session's client alliance
    # score. Strauss et al. 2006; the 15% is unconfirmed against the paper.
    rupture_percent_drop: float = 0.15
    # The client's level, which a fall is measured from and a repair must come back to: the
    # median of their last this-many scores since their last rupture. A median of five moves
    # little with one unusually high or low rating (a single 31 among 26s made a repair
    # unreachable when the previous score was the reference).
    level_sessions: int = 5
    # Rupture (b): a fall larger than k standard deviations of session-to-session changes, the
    # client's own and the practice's, whichever gives the larger threshold. Stiles et al. 2004
    # used about 2 SD; Gumz et al. 2012 report 1 and 2 SD.
    sd_multiplier: float = 2.5
    # Rupture (b) waits for this many of the client's own earlier changes (so 5 scored sessions
    # before the one tested). An SD from n changes has a relative standard error of about
    # 1/sqrt(2(n-1)): 71% from 2 changes, 41% from 4, 32% from 6. Four is the earliest point where
    # the own SD means something; the practice SD is the floor that keeps a client with a steady
    # history (own SD near 0) from turning every small dip into a rupture.
    min_own_changes: int = 4
    # Rupture (c): ac_tension at or above this counts as the client reporting tension ("A
    # little" = 1 counts: the Post-Session Questionnaire idea asks precisely so that small
    # tensions are said; Muran & Safran). The same threshold applies to the therapist's at_tension.
    tension_at_least: int = 1
    # Repair: the window, in sessions after the rupture, in which the score must come back or the
    # client must say it was talked through. Gumz et al. 2012 saw declines lasting up to 6
    # sessions; 3 is soon enough to act on and long enough for a repair.
    repair_window: int = 3
    # Repair: ac_repair at or above this means "talked through well" (3 Well, 4 Very well).
    talked_through_at_least: int = 3
    # Disagreement (b): a client-therapist gap this many SDs of the practice's gaps away from the
    # practice's mean gap, on this many consecutive sessions rated by both (Tryon et al. 2007:
    # clients rate higher, d = .63, r = .36 between the two views).
    gap_sd_multiplier: float = 2.0
    gap_consecutive: int = 3
    # Not on track: a score worse than the one-sided tolerance bound at this level (Finch,
    # Lambert & Schaalje 2001 used tolerance intervals around the expected curve).
    not_on_track_level: float = 0.90
    # Not on track: the practice's own curve is fitted once it has at least this many episodes
    # with at least ``min_scores_per_episode`` scores on the measure; before that the default
    # curve is used. 50 follows the usual advice for the number of groups in a multilevel model
    # (Maas & Hox 2005: variance components are estimated poorly with few groups).
    min_practice_episodes: int = 50
    min_scores_per_episode: int = 3
    # The practice's SD of alliance changes and its client-therapist gap norms need at least this
    # many observations; with fewer they are unknown and the rules that need them stay off.
    min_practice_observations: int = 100
    # Reliable change since intake, both ways: NHS Talking Therapies Manual (PHQ-9 6, GAD-7 4).
    phq9_reliable_change: int = PHQ9_RELIABLE_CHANGE
    gad7_reliable_change: int = GAD7_RELIABLE_CHANGE
    # Low alliance: a client check-in total at or below this, at the first check-in or at two
    # check-ins in a row. Four answers "A little" and three "Somewhat" add up to 17, so it means
    # most answers "A little" or less. A weak early alliance predicts dropout (Sharf, Primavera
    # & Diener 2010); only changes fire the rupture rules, so a steadily low one needs its own.
    low_alliance_at_most: int = 17
    # No improvement: a client who started in caseness with no reliable improvement on any
    # measure they started in caseness on, by this session. Early response predicts outcome
    # (Haas, Hill, Lambert & Morrell 2002; Lutz et al. 2014); 8 weekly sessions is about half a
    # usual course, late enough for most responders to show it and early enough to change course.
    no_improvement_by_session: int = 8

    def __post_init__(self) -> None:
        # A setting that makes no sense fails here, loudly, not later as a silent non-signal.
        problems: list[str] = []
        if not 0 < self.rupture_percent_drop < 1:
            problems.append("rupture_percent_drop must be between 0 and 1")
        for name in ("sd_multiplier", "gap_sd_multiplier"):
            if not getattr(self, name) > 0:
                problems.append(f"{name} must be above 0")
        for name in (
            "min_own_changes",
            "level_sessions",
            "repair_window",
            "gap_consecutive",
            "min_practice_episodes",
            "min_practice_observations",
            "phq9_reliable_change",
            "gad7_reliable_change",
        ):
            if not getattr(self, name) >= 1:
                problems.append(f"{name} must be 1 or more")
        if not self.min_own_changes >= 2:
            problems.append("min_own_changes must be 2 or more (an SD needs two changes)")
        if not self.min_scores_per_episode >= 2:
            problems.append("min_scores_per_episode must be 2 or more (intake and one more)")
        if self.tension_at_least not in (1, 2):
            problems.append("tension_at_least must be 1 or 2")
        if not 0 <= self.talked_through_at_least <= 4:
            problems.append("talked_through_at_least must be from 0 to 4")
        if not 7 <= self.low_alliance_at_most < 35:
            problems.append("low_alliance_at_most must be from 7 to 34")
        if not self.no_improvement_by_session >= 2:
            problems.append("no_improvement_by_session must be 2 or more")
        if not 0.5 < self.not_on_track_level < 1:
            problems.append("not_on_track_level must be between 0.5 and 1")
        if problems:
            raise ValueError("; ".join(problems))

    def as_dict(self) -> dict[str, float | int]:
        return {item.name: getattr(self, item.name) for item in fields(self)}
