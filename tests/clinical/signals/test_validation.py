"""Validation on a large synthetic practice with known, injected ruptures.

The generator (here, on purpose: it must not share assumptions with the demo data's model):

- 6,000 episodes of 20 sessions. Each client has a stable alliance level, normal with mean 28
  and SD 3 (kept within 14-33), and a volatility of their own, 0.8, 1.2 or 1.8 points (SD of
  the session-to-session noise), so that some clients' ordinary wobble is large.
- In a third of the episodes a rupture is injected at a session from 6 to 17: the score falls by
  4 to 10 points (uniform; from about 13% to 36% of the level, so some injected falls are smaller
  than the 15% rule can see). Half of the ruptures are repaired (back to the level from the next
  session), half are not (the level stays 0.7 of the fall lower to the end).
- At an injected rupture the client reports tension half the time (and says it was talked
  through well when the rupture is repaired). Elsewhere clients report a little tension in 2%
  of sessions, which the client_report rule cannot tell from a real rupture.

A rule's signal is a true positive when it is at an injected rupture's session, otherwise a
false positive; recall is the share of injected ruptures the rule signals at their session.

Reproduce the table in docs/signals.md with:

    .venv/bin/python -m tests.clinical.signals.test_validation
"""

import random
from collections import Counter
from dataclasses import dataclass
from functools import cache

from alliance.clinical.signals import (
    Episode,
    PracticeNorms,
    SessionPoint,
    SignalSettings,
    practice_norms_fit,
    signals_for,
)

from .builders import FIRST_DAY

SEED = 1729
EPISODES = 6000
SESSIONS = 20
RULES = ("percent_drop", "sd_drop", "client_report")


@dataclass(frozen=True)
class Truth:
    rupture_at: int | None
    repaired: bool


def _score(value: float) -> int:
    return max(7, min(35, round(value)))


def synthetic_episode(rng: random.Random) -> tuple[Episode, Truth]:
    level = min(max(rng.gauss(28, 3), 14), 33)
    volatility = rng.choice((0.8, 1.2, 1.8))
    rupture_at = rng.randint(6, 17) if rng.random() < 1 / 3 else None
    fall = rng.uniform(4, 10)
    repaired = rng.random() < 0.5
    points: list[SessionPoint] = []
    for number in range(1, SESSIONS + 1):
        mean = level
        tension, repair = 0, None
        if rupture_at is not None and number >= rupture_at:
            if number == rupture_at:
                mean = level - fall
                if rng.random() < 0.5:
                    tension, repair = rng.choice((1, 2)), (3 if repaired else 1)
            elif not repaired:
                mean = level - 0.7 * fall
        if tension == 0 and rng.random() < 0.02:
            tension, repair = 1, rng.choice((0, 2, 3))
        points.append(
            SessionPoint(
                number=number,
                date=FIRST_DAY,
                client_alliance=_score(mean + rng.gauss(0, volatility)),
                client_tension=tension,
                client_repair=repair,
            )
        )
    return Episode("therapist", tuple(points)), Truth(rupture_at, repaired)


@cache
def synthetic_practice() -> tuple[tuple[tuple[Episode, Truth], ...], PracticeNorms]:
    rng = random.Random(SEED)
    practice = tuple(synthetic_episode(rng) for _ in range(EPISODES))
    norms = practice_norms_fit([episode for episode, _ in practice], SignalSettings())
    return practice, norms


@dataclass(frozen=True)
class Score:
    true_positives: int
    false_positives: int
    missed: int

    @property
    def precision(self) -> float:
        return self.true_positives / max(self.true_positives + self.false_positives, 1)

    @property
    def recall(self) -> float:
        return self.true_positives / max(self.true_positives + self.missed, 1)


@dataclass(frozen=True)
class Validation:
    scores: dict[str, Score]
    ruptures: int
    repaired_seen_as_repaired: float
    unrepaired_seen_as_unrepaired: float
    practice_change_sd: float


@cache
def validate() -> Validation:
    practice, norms = synthetic_practice()
    settings = SignalSettings()
    flagged: dict[str, set[tuple[int, int]]] = {rule: set() for rule in (*RULES, "any rule")}
    truth: set[tuple[int, int]] = set()
    outcomes: Counter[tuple[bool, str]] = Counter()
    for index, (episode, known) in enumerate(practice):
        signals = signals_for(episode.series, settings, norms)
        for signal in signals:
            if signal.kind == "rupture" and signal.rule in RULES:
                flagged[signal.rule].add((index, signal.session))
                flagged["any rule"].add((index, signal.session))
        if known.rupture_at is None:
            continue
        truth.add((index, known.rupture_at))
        # How the repair detector judged the injected rupture, when a rule caught it.
        judged = {
            signal.kind
            for signal in signals
            if signal.kind in ("repair", "unrepaired_rupture")
            and signal.evidence["rupture_session"] == known.rupture_at
        }
        if (index, known.rupture_at) in flagged["any rule"]:
            outcomes[(known.repaired, "repair" if "repair" in judged else "other")] += 1
            outcomes[(known.repaired, "unrepaired" if "unrepaired_rupture" in judged else "x")] += 1
    scores = {
        rule: Score(len(found & truth), len(found - truth), len(truth - found))
        for rule, found in flagged.items()
    }
    repaired = outcomes[(True, "repair")] + outcomes[(True, "other")]
    unrepaired = outcomes[(False, "unrepaired")] + outcomes[(False, "x")]
    assert norms.change_sd is not None
    return Validation(
        scores=scores,
        ruptures=len(truth),
        repaired_seen_as_repaired=outcomes[(True, "repair")] / max(repaired, 1),
        unrepaired_seen_as_unrepaired=outcomes[(False, "unrepaired")] / max(unrepaired, 1),
        practice_change_sd=norms.change_sd,
    )


def test_the_percent_rule_finds_most_large_falls_and_little_ordinary_wobble() -> None:
    # Measured from the client's recent level and past twice their own spread, the 15% rule
    # loses the small falls of volatile clients (recall .86 before) and most of their wobble
    # (precision .47 before).
    score = validate().scores["percent_drop"]
    assert score.recall >= 0.75
    assert score.precision >= 0.7


def test_the_sd_rule_is_the_most_precise() -> None:
    scores = validate().scores
    assert scores["sd_drop"].precision >= 0.65
    assert scores["sd_drop"].precision > scores["percent_drop"].precision
    # At k = 2.5 (false-alarm budget, docs/signals.md) it misses more of this generator's
    # small falls than at 2 (recall .80 then).
    assert scores["sd_drop"].recall >= 0.6


def test_the_client_report_rule_finds_the_ruptures_clients_mention() -> None:
    score = validate().scores["client_report"]
    # Half of injected ruptures are reported, by construction; the other reports (2% of all
    # sessions) count as false positives here, although in practice a reported tension is
    # itself the sign of a rupture.
    assert 0.45 <= score.recall <= 0.55
    assert score.precision >= 0.25


def test_any_rule_together_finds_nearly_every_injected_rupture() -> None:
    assert validate().scores["any rule"].recall >= 0.88


def test_repair_and_its_absence_are_told_apart() -> None:
    validation = validate()
    assert validation.repaired_seen_as_repaired >= 0.85
    assert validation.unrepaired_seen_as_unrepaired >= 0.85


def table() -> str:
    validation = validate()
    rows = [
        f"Synthetic practice: {EPISODES:,} episodes x {SESSIONS} sessions, "
        f"{validation.ruptures:,} injected ruptures (seed {SEED}); practice SD of changes "
        f"{validation.practice_change_sd:.2f}.",
        "",
        "| rule | true positives | false positives | missed | precision | recall |",
        "|---|---|---|---|---|---|",
    ]
    for rule, score in validation.scores.items():
        rows.append(
            f"| {rule} | {score.true_positives:,} | {score.false_positives:,} | "
            f"{score.missed:,} | {score.precision:.2f} | {score.recall:.2f} |"
        )
    rows += [
        "",
        f"Of the injected ruptures a rule caught: repaired ones judged `repair` "
        f"{validation.repaired_seen_as_repaired:.0%}; unrepaired ones judged "
        f"`unrepaired_rupture` {validation.unrepaired_seen_as_unrepaired:.0%}.",
    ]
    return "\n".join(rows)


if __name__ == "__main__":
    print(table())
