"""The synthetic practice history: deterministic, always valid answers, a large practice recovers
the model it was drawn from (docs/demo-model.md), and the demo therapist has one client of each
pattern the relationship engine flags."""

import itertools
import math
import statistics
from collections.abc import Sequence
from datetime import date, timedelta

import pytest

from alliance.clinical import shipped_instruments
from alliance.clinical.nhs import nhs_outcome
from alliance.clinical.scoring import score
from alliance.demo.synthetic.model import (
    MAX_SESSIONS,
    MIN_SESSIONS,
    SyntheticEpisode,
    months_before,
    practice_history,
)
from alliance.demo.synthetic.patterns import (
    PATTERNS,
    SIGNALS,
    demo_practice_history,
    guaranteed_demo_cases,
)

INSTRUMENTS = shipped_instruments()
END = date(2026, 11, 26)
SEED = 2026


@pytest.fixture(scope="module")
def practice() -> list[SyntheticEpisode]:
    # 40 therapists x 30 clients: enough to recover each property within sampling error, and
    # quick enough (about a second) to draw once per test module.
    return practice_history(seed=SEED, therapists=40, clients_per_therapist=30, end=END)


@pytest.fixture(scope="module")
def demo() -> list[SyntheticEpisode]:
    return demo_practice_history(seed=SEED, therapists=8, clients_per_therapist=12, end=END)


@pytest.fixture(scope="module")
def cases(demo: list[SyntheticEpisode]) -> dict[str, SyntheticEpisode]:
    return {episode.truth.pattern: episode for episode in demo if episode.truth.pattern}


def totals(episode: SyntheticEpisode, code: str) -> list[int]:
    return [session.totals[code] for session in episode.sessions if code in session.totals]


def answers(episode: SyntheticEpisode, code: str, item: str) -> list[int | None]:
    return [session.answers[code].get(item) for session in episode.sessions]


def improvement(episode: SyntheticEpisode) -> int:
    """PHQ-9 pre-post improvement: intake minus last score (positive is better)."""
    phq9 = totals(episode, "phq9")
    return phq9[0] - phq9[-1]


def cohens_d(first: Sequence[float], second: Sequence[float]) -> float:
    pooled = math.sqrt((statistics.pvariance(first) + statistics.pvariance(second)) / 2)
    return (statistics.fmean(first) - statistics.fmean(second)) / pooled


def fisher_interval(r: float, n: int) -> tuple[float, float]:
    """The 95% sampling interval of a correlation r over n pairs: atanh(r) is about normal with
    standard error 1/sqrt(n - 3) (Fisher's z)."""
    half = 1.96 / math.sqrt(n - 3)
    return math.tanh(math.atanh(r) - half), math.tanh(math.atanh(r) + half)


def between_group_share(groups: Sequence[Sequence[float]]) -> float:
    """One-way random-effects ANOVA estimate of the share of variance between groups (ICC(1)),
    with n0 for unequal group sizes."""
    values = [value for group in groups for value in group]
    k, total = len(groups), len(values)
    grand = statistics.fmean(values)
    means = [statistics.fmean(group) for group in groups]
    between = sum(len(g) * (m - grand) ** 2 for g, m in zip(groups, means, strict=True)) / (k - 1)
    within = sum(
        (value - mean) ** 2 for group, mean in zip(groups, means, strict=True) for value in group
    ) / (total - k)
    n0 = (total - sum(len(group) ** 2 for group in groups) / total) / (k - 1)
    variance_between = max((between - within) / n0, 0.0)
    return variance_between / (variance_between + within)


def test_the_same_seed_gives_the_same_history() -> None:
    first = practice_history(seed=7, therapists=3, clients_per_therapist=5, end=END)
    again = practice_history(seed=7, therapists=3, clients_per_therapist=5, end=END)
    assert first == again


def test_a_different_seed_gives_a_different_history() -> None:
    first = practice_history(seed=7, therapists=3, clients_per_therapist=5, end=END)
    other = practice_history(seed=8, therapists=3, clients_per_therapist=5, end=END)
    assert [e.sessions for e in first] != [e.sessions for e in other]


def test_the_demo_history_is_deterministic_too(demo: list[SyntheticEpisode]) -> None:
    again = demo_practice_history(seed=SEED, therapists=8, clients_per_therapist=12, end=END)
    assert again == demo


def test_every_answer_set_scores_to_the_total_it_was_built_for(
    practice: list[SyntheticEpisode], demo: list[SyntheticEpisode]
) -> None:
    # Every demo episode and a sample of the large practice: scoring is the slow part.
    checked = 0
    for episode in [*practice[:120], *demo]:
        for session in episode.sessions:
            assert set(session.answers) == set(session.totals)
            for code, given in session.answers.items():
                instrument = INSTRUMENTS[code]
                result = score(instrument, given)
                assert result.total == session.totals[code]
                assert instrument.min_total <= result.total <= instrument.max_total
                assert not result.prorated
                checked += 1
    assert checked > 5_000


def test_a_repair_answer_comes_only_with_tension(practice: list[SyntheticEpisode]) -> None:
    for episode in practice:
        for session in episode.sessions:
            for prefix, code in (("ac", "alliance_client"), ("at", "alliance_therapist")):
                given = session.answers[code]
                if f"{prefix}_repair" in given:
                    assert given[f"{prefix}_tension"] >= 1


def test_episodes_run_6_to_30_sessions_on_weekdays_within_the_window(
    practice: list[SyntheticEpisode],
) -> None:
    start = months_before(END, 12)
    for episode in practice:
        days = [session.day for session in episode.sessions]
        assert MIN_SESSIONS <= len(days) <= MAX_SESSIONS
        assert [session.number for session in episode.sessions] == list(range(1, len(days) + 1))
        assert start <= days[0]
        assert days[-1] <= END
        assert all(
            later - earlier >= timedelta(days=7) for earlier, later in itertools.pairwise(days)
        )
        assert all(day.weekday() < 5 for day in days)
    cadences = {episode.truth.cadence_days for episode in practice}
    statuses = {episode.truth.status for episode in practice}
    assert cadences == {7, 14}
    assert statuses == {"ongoing", "ended", "dropped_out"}


def test_ongoing_episodes_had_a_session_in_the_last_two_weeks(
    practice: list[SyntheticEpisode],
) -> None:
    ongoing = [episode for episode in practice if episode.truth.status == "ongoing"]
    assert ongoing
    assert all(END - episode.sessions[-1].day < timedelta(days=14) for episode in ongoing)


def test_the_rosenberg_scale_is_asked_at_the_second_session_and_then_about_monthly(
    practice: list[SyntheticEpisode],
) -> None:
    for episode in practice[:200]:
        asked = [session.day for session in episode.sessions if "rses" in session.answers]
        assert asked[0] == episode.sessions[1].day
        assert all(
            later - earlier >= timedelta(days=28) for earlier, later in itertools.pairwise(asked)
        )


def test_intake_severity_spreads_across_every_phq9_band(practice: list[SyntheticEpisode]) -> None:
    bands = {score(INSTRUMENTS["phq9"], e.sessions[0].answers["phq9"]).band for e in practice}
    assert bands == {"Minimal", "Mild", "Moderate", "Moderately severe", "Severe"}


def test_clients_rate_the_alliance_higher_than_therapists_by_about_d_06(
    practice: list[SyntheticEpisode],
) -> None:
    client = [total for episode in practice for total in totals(episode, "alliance_client")]
    therapist = [total for episode in practice for total in totals(episode, "alliance_therapist")]
    # Tryon et al. 2007: d = .63, every session's pair of ratings pooled.
    assert cohens_d(client, therapist) == pytest.approx(0.6, abs=0.2)


def test_client_and_therapist_ratings_correlate_only_about_036(
    practice: list[SyntheticEpisode],
) -> None:
    client = [total for episode in practice for total in totals(episode, "alliance_client")]
    therapist = [total for episode in practice for total in totals(episode, "alliance_therapist")]
    # Tryon et al. 2007: r = .36.
    assert statistics.correlation(client, therapist) == pytest.approx(0.36, abs=0.15)


def test_mean_alliance_and_improvement_correlate_within_the_sampling_interval_of_028(
    practice: list[SyntheticEpisode],
) -> None:
    mean_alliance = [statistics.fmean(totals(e, "alliance_client")) for e in practice]
    improved = [improvement(e) for e in practice]
    # Horvath et al. 2011; Flückiger et al. 2018: r = .28. One pair per client, so the 95%
    # interval for this n comes from Fisher's z; a calibrated model lands in it 19 times in 20.
    low, high = fisher_interval(0.28, len(practice))
    assert low <= statistics.correlation(mean_alliance, improved) <= high


def test_about_a_third_of_episodes_rupture_and_about_half_of_the_ruptures_are_repaired(
    practice: list[SyntheticEpisode],
) -> None:
    ruptured = [episode for episode in practice if episode.truth.ruptures]
    ruptures = [rupture for episode in ruptured for rupture in episode.truth.ruptures]
    assert 0.25 <= len(ruptured) / len(practice) <= 0.42
    assert 0.4 <= sum(rupture.repaired for rupture in ruptures) / len(ruptures) <= 0.6


def test_ruptures_are_drops_in_the_clients_rating_often_with_tension(
    practice: list[SyntheticEpisode],
) -> None:
    drops, tensions = [], []
    for episode in practice:
        client = totals(episode, "alliance_client")
        for rupture in episode.truth.ruptures:
            before, at = client[rupture.session - 2], client[rupture.session - 1]
            drops.append((before - at) / before)
            tensions.append(answers(episode, "alliance_client", "ac_tension")[rupture.session - 1])
    assert statistics.median(drops) >= 0.15
    assert 0.55 <= sum(1 for tension in tensions if tension) / len(tensions) <= 0.85


def test_unrepaired_ruptures_go_with_less_improvement_than_repaired_ones(
    practice: list[SyntheticEpisode],
) -> None:
    def improvements(repaired: bool) -> list[int]:
        return [
            improvement(e)
            for e in practice
            if e.truth.ruptures and all(r.repaired is repaired for r in e.truth.ruptures)
        ]

    # McLaughlin et al. 2014; Eubanks, Muran & Safran 2018 (d = .62 on the latent response).
    assert statistics.fmean(improvements(True)) > statistics.fmean(improvements(False)) + 1


def test_therapists_account_for_about_5_percent_of_outcome_variance(
    practice: list[SyntheticEpisode],
) -> None:
    by_therapist: dict[int, list[float]] = {}
    for episode in practice:
        by_therapist.setdefault(episode.therapist_index, []).append(improvement(episode))
    # Wampold & Brown 2005: about 5%. With 40 therapists the estimate's SE is about .02.
    assert 0.01 <= between_group_share(list(by_therapist.values())) <= 0.12


def test_a_few_clients_give_risk_answers(practice: list[SyntheticEpisode]) -> None:
    at_risk = [
        episode
        for episode in practice
        if any(value and value >= 1 for value in answers(episode, "phq9", "phq9_9"))
    ]
    assert 0.01 <= len(at_risk) / len(practice) <= 0.08
    assert all(episode.truth.risk_sessions for episode in at_risk)


def test_a_minority_deteriorate_reliably(practice: list[SyntheticEpisode]) -> None:
    outcomes = [
        nhs_outcome(
            phq9_first=totals(e, "phq9")[0],
            phq9_last=totals(e, "phq9")[-1],
            gad7_first=totals(e, "gad7")[0],
            gad7_last=totals(e, "gad7")[-1],
            sessions=len(e.sessions),
        )
        for e in practice
    ]
    deteriorated = sum(bool(outcome.reliable_deterioration) for outcome in outcomes)
    improved = sum(bool(outcome.reliable_improvement) for outcome in outcomes)
    assert 0.02 <= deteriorated / len(outcomes) <= 0.12
    assert improved > len(outcomes) / 2


def test_the_demo_therapist_has_one_client_of_each_pattern(
    demo: list[SyntheticEpisode], cases: dict[str, SyntheticEpisode]
) -> None:
    assert sorted(cases) == sorted(PATTERNS) == sorted(SIGNALS)
    assert all(episode.therapist_index == 0 for episode in cases.values())
    assert len({episode.client_key for episode in demo}) == len(demo) == 8 * 12
    assert cases["risk"].truth.risk_sessions
    unrepaired = cases["unrepaired_rupture"].truth.ruptures[0]
    assert not unrepaired.repaired
    assert unrepaired.tension >= 1
    assert unrepaired.drop >= 0.15
    repaired = cases["repaired_rupture"].truth.ruptures[0]
    assert repaired.repaired
    assert repaired.talked_through
    assert repaired.recovered_at is not None
    unseen = cases["unseen_rupture"].truth.ruptures[0]
    assert unseen.tension >= 1
    assert not unseen.therapist_noticed


def test_the_demo_therapists_caseload_is_current(demo: list[SyntheticEpisode]) -> None:
    own = [episode for episode in demo if episode.therapist_index == 0]
    current = [e for e in own if END - e.sessions[-1].day < timedelta(days=14)]
    assert len(current) >= len(PATTERNS) + 1


def test_the_risk_client_answered_item_9_in_the_last_week(
    cases: dict[str, SyntheticEpisode],
) -> None:
    episode = cases["risk"]
    last = episode.sessions[-1]
    assert END - last.day < timedelta(days=7)
    assert "risk" in score(INSTRUMENTS["phq9"], last.answers["phq9"]).flags


def test_the_unrepaired_rupture_is_a_clear_drop_with_tension_and_no_recovery(
    cases: dict[str, SyntheticEpisode],
) -> None:
    episode = cases["unrepaired_rupture"]
    at = episode.truth.ruptures[0].session
    client = totals(episode, "alliance_client")
    before = client[at - 2]
    assert (before - client[at - 1]) / before >= 0.15  # Strauss et al. 2006
    assert answers(episode, "alliance_client", "ac_tension")[at - 1] == 2
    assert answers(episode, "alliance_client", "ac_repair")[at - 1] == 0
    after = client[at:]
    assert len(after) >= 3
    assert max(after) < before


def test_the_repaired_rupture_recovers_within_3_sessions_and_was_talked_through_well(
    cases: dict[str, SyntheticEpisode],
) -> None:
    episode = cases["repaired_rupture"]
    at = episode.truth.ruptures[0].session
    client = totals(episode, "alliance_client")
    before = client[at - 2]
    assert (before - client[at - 1]) / before >= 0.15
    assert any(score >= before for score in client[at : at + 3])
    assert answers(episode, "alliance_client", "ac_repair")[at - 1] == 4  # "Very well"


def test_the_unseen_rupture_has_the_therapist_above_usual_noticing_no_tension(
    demo: list[SyntheticEpisode], cases: dict[str, SyntheticEpisode]
) -> None:
    episode = cases["unseen_rupture"]
    at = episode.truth.ruptures[0].session
    client = totals(episode, "alliance_client")
    therapist = totals(episode, "alliance_therapist")
    caseload = [
        total
        for e in demo
        if e.therapist_index == 0 and e is not episode
        for total in totals(e, "alliance_therapist")
    ]
    assert client[at - 1] < client[at - 2]
    assert answers(episode, "alliance_client", "ac_tension")[at - 1] == 1
    assert answers(episode, "alliance_therapist", "at_tension")[at - 1] == 0
    assert therapist[at - 1] > max(therapist[: at - 1])
    assert therapist[at - 1] >= statistics.fmean(caseload)


def test_the_persistent_gap_is_far_larger_than_the_practices_usual_gap(
    demo: list[SyntheticEpisode], cases: dict[str, SyntheticEpisode]
) -> None:
    def gaps(episode: SyntheticEpisode) -> list[int]:
        client, therapist = (
            totals(episode, "alliance_client"),
            totals(episode, "alliance_therapist"),
        )
        return [c - t for c, t in zip(client, therapist, strict=True)]

    usual = [gap for episode in demo if episode.truth.pattern is None for gap in gaps(episode)]
    spread = statistics.pstdev(usual)
    assert all(gap > statistics.fmean(usual) + 2 * spread for gap in gaps(cases["persistent_gap"]))


def test_the_not_on_track_client_worsens_without_reliable_deterioration(
    cases: dict[str, SyntheticEpisode],
) -> None:
    episode = cases["not_on_track"]
    phq9 = totals(episode, "phq9")
    assert phq9[0] >= 15
    assert phq9[-1] > phq9[0]
    assert all(later >= phq9[0] for later in phq9[4:])  # no dip towards an improving course
    outcome = nhs_outcome(
        phq9_first=phq9[0],
        phq9_last=phq9[-1],
        gad7_first=totals(episode, "gad7")[0],
        gad7_last=totals(episode, "gad7")[-1],
        sessions=len(phq9),
    )
    assert outcome.reliable_deterioration is False


def test_the_deteriorating_client_worsens_past_both_reliable_change_thresholds(
    cases: dict[str, SyntheticEpisode],
) -> None:
    episode = cases["reliable_deterioration"]
    phq9, gad7 = totals(episode, "phq9"), totals(episode, "gad7")
    assert phq9[-1] - phq9[0] >= 6
    assert gad7[-1] - gad7[0] >= 4
    outcome = nhs_outcome(
        phq9_first=phq9[0],
        phq9_last=phq9[-1],
        gad7_first=gad7[0],
        gad7_last=gad7[-1],
        sessions=len(phq9),
    )
    assert outcome.reliable_deterioration is True


def test_only_the_patterns_that_call_for_it_carry_risk_or_tension(
    cases: dict[str, SyntheticEpisode],
) -> None:
    for pattern, episode in cases.items():
        item9 = answers(episode, "phq9", "phq9_9")
        assert any(item9) is (pattern == "risk")
        tension = answers(episode, "alliance_client", "ac_tension")
        assert any(tension) is (
            pattern in {"unrepaired_rupture", "repaired_rupture", "unseen_rupture"}
        )


def test_the_demo_therapist_needs_room_for_every_pattern() -> None:
    with pytest.raises(ValueError, match="at least 9 clients"):
        demo_practice_history(seed=1, therapists=2, clients_per_therapist=8, end=END)


def test_guaranteed_cases_follow_the_therapists_usual_rating() -> None:
    lenient = guaranteed_demo_cases(seed=1, end=END, leniency=3.0)
    strict = guaranteed_demo_cases(seed=1, end=END, leniency=-3.0)
    for high, low in zip(lenient, strict, strict=True):
        assert totals(high, "alliance_therapist") != totals(low, "alliance_therapist")
        assert statistics.fmean(totals(high, "alliance_therapist")) > statistics.fmean(
            totals(low, "alliance_therapist")
        )


def test_a_history_shorter_than_six_months_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 6 months"):
        practice_history(seed=1, therapists=1, clients_per_therapist=1, end=END, months=3)
