"""Scoring answers: band boundaries worked by hand, reverse keying by id, proration with its
rounding, flags whatever the total, and answers the core refuses."""

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance.clinical.instruments import (
    Instrument,
    Item,
    Option,
    Proration,
    Scale,
    Subscale,
    shipped_instruments,
)
from alliance.clinical.scoring import (
    AnswerError,
    Problem,
    Score,
    caseness,
    score,
    unasked_answers,
)

INSTRUMENTS = shipped_instruments()
PHQ9 = INSTRUMENTS["phq9"]
GAD7 = INSTRUMENTS["gad7"]
RSES = INSTRUMENTS["rses"]
CLIENT = INSTRUMENTS["alliance_client"]
THERAPIST = INSTRUMENTS["alliance_therapist"]


def phq9(*values: int | None) -> dict[str, object]:
    assert len(values) == 9
    return {f"phq9_{n}": value for n, value in enumerate(values, start=1)}


def gad7(*values: int) -> dict[str, object]:
    assert len(values) == 7
    return {f"gad7_{n}": value for n, value in enumerate(values, start=1)}


def problem_items(error: AnswerError) -> list[str | None]:
    return [problem.item for problem in error.problems]


# Item 9 stays 0 except at the top, so these also show no flag is raised by the total alone.
PHQ9_BOUNDARIES = [
    ((0, 0, 0, 0, 0, 0, 0, 0, 0), 0, "Minimal"),
    ((1, 1, 1, 1, 0, 0, 0, 0, 0), 4, "Minimal"),
    ((1, 1, 1, 1, 1, 0, 0, 0, 0), 5, "Mild"),
    ((2, 1, 1, 1, 1, 1, 1, 1, 0), 9, "Mild"),
    ((2, 2, 1, 1, 1, 1, 1, 1, 0), 10, "Moderate"),
    ((2, 2, 2, 2, 2, 1, 1, 2, 0), 14, "Moderate"),
    ((2, 2, 2, 2, 2, 2, 1, 2, 0), 15, "Moderately severe"),
    ((3, 3, 3, 2, 2, 2, 2, 2, 0), 19, "Moderately severe"),
    ((3, 3, 3, 3, 2, 2, 2, 2, 0), 20, "Severe"),
    ((3, 3, 3, 3, 3, 3, 3, 3, 3), 27, "Severe"),
]


@pytest.mark.parametrize(("values", "total", "band"), PHQ9_BOUNDARIES)
def test_phq9_totals_fall_in_the_published_bands(
    values: Sequence[int], total: int, band: str
) -> None:
    result = score(PHQ9, phq9(*values))
    assert (result.total, result.band, result.prorated) == (total, band, False)
    assert result.flags == (frozenset({"risk"}) if values[8] else frozenset())


GAD7_BOUNDARIES = [
    ((0, 0, 0, 0, 0, 0, 0), 0, "Minimal"),
    ((1, 1, 1, 1, 0, 0, 0), 4, "Minimal"),
    ((1, 1, 1, 1, 1, 0, 0), 5, "Mild"),
    ((2, 2, 1, 1, 1, 1, 1), 9, "Mild"),
    ((2, 2, 2, 1, 1, 1, 1), 10, "Moderate"),
    ((2, 2, 2, 2, 2, 2, 2), 14, "Moderate"),
    ((3, 2, 2, 2, 2, 2, 2), 15, "Severe"),
    ((3, 3, 3, 3, 3, 3, 3), 21, "Severe"),
]


@pytest.mark.parametrize(("values", "total", "band"), GAD7_BOUNDARIES)
def test_gad7_totals_fall_in_the_published_bands(
    values: Sequence[int], total: int, band: str
) -> None:
    result = score(GAD7, gad7(*values))
    assert (result.total, result.band) == (total, band)


def test_caseness_is_at_or_above_the_cutoff() -> None:
    assert [caseness(PHQ9, total) for total in (9, 10)] == [False, True]
    assert [caseness(GAD7, total) for total in (7, 8)] == [False, True]


def test_caseness_is_none_without_a_cutoff() -> None:
    assert caseness(RSES, 0) is None


def test_rses_all_strongly_agree_scores_15_because_five_items_are_reversed() -> None:
    assert score(RSES, {f"rses_{n}": 3 for n in range(1, 11)}).total == 15
    assert score(RSES, {f"rses_{n}": 0 for n in range(1, 11)}).total == 15


def test_rses_reverse_keys_by_item_id_whatever_order_the_answers_come_in() -> None:
    # Raw answers 3,0,2,1,0,1,3,0,0,2 score 3,3,2,1,3,2,3,3,3,2 (items 2,5,6,8,9 are 3 - answer).
    raw = dict(
        zip([f"rses_{n}" for n in range(1, 11)], [3, 0, 2, 1, 0, 1, 3, 0, 0, 2], strict=True)
    )
    assert score(RSES, raw).total == 25
    assert score(RSES, dict(reversed(list(raw.items())))).total == 25


def test_rses_highest_self_esteem_is_30() -> None:
    reversed_items = {"rses_2", "rses_5", "rses_6", "rses_8", "rses_9"}
    answers = {f"rses_{n}": 0 if f"rses_{n}" in reversed_items else 3 for n in range(1, 11)}
    assert score(RSES, answers).total == 30


def test_phq9_prorates_one_missing_item() -> None:
    # 8 answered items sum to 10: 10 / 8 x 9 = 11.25, rounded to 11.
    result = score(PHQ9, phq9(2, 2, 1, 1, 1, 1, 2, None, 0))
    assert (result.total, result.prorated, result.missing) == (11, True, ("phq9_8",))
    assert result.band == "Moderate"


def test_phq9_proration_rounds_half_up() -> None:
    # 8 answered items sum to 4: 4 / 8 x 9 = 4.5 exactly, which rounds up to 5 (Mild), where
    # Python's round() would give 4 (Minimal).
    result = score(PHQ9, phq9(1, 1, 1, 1, 0, 0, 0, 0, 0) | {"phq9_5": None})
    assert (result.total, result.band, result.missing) == (5, "Mild", ("phq9_5",))


def test_phq9_prorates_two_missing_items() -> None:
    # 7 answered items sum to 11: 11 / 7 x 9 = 14.14, rounded to 14.
    answers = phq9(3, 2, 2, 2, 1, 1, 0, 0, 0)
    del answers["phq9_7"], answers["phq9_8"]
    result = score(PHQ9, answers)
    assert (result.total, result.band, result.missing) == (14, "Moderate", ("phq9_7", "phq9_8"))
    # 7 answered items sum to 17: 17 / 7 x 9 = 21.86, rounded to 22.
    result = score(PHQ9, phq9(None, None, 3, 3, 3, 3, 3, 2, 0))
    assert (result.total, result.band, result.missing) == (22, "Severe", ("phq9_1", "phq9_2"))


def test_phq9_refuses_three_missing_items() -> None:
    with pytest.raises(AnswerError) as refused:
        score(PHQ9, phq9(1, 1, 1, 1, 1, None, None, None, 0))
    assert problem_items(refused.value) == ["phq9_6", "phq9_7", "phq9_8"]
    assert "at most 2 of 9" in str(refused.value)


def test_phq9_never_prorates_a_missing_item_9() -> None:
    with pytest.raises(AnswerError) as refused:
        score(PHQ9, phq9(1, 1, 1, 1, 1, 1, 1, 1, None))
    assert problem_items(refused.value) == ["phq9_9"]
    assert "never estimated" in str(refused.value)


def test_gad7_is_scored_only_when_complete() -> None:
    answers = gad7(1, 1, 1, 1, 1, 1, 1)
    del answers["gad7_4"]
    with pytest.raises(AnswerError) as refused:
        score(GAD7, answers)
    assert problem_items(refused.value) == ["gad7_4"]


def test_phq9_item_9_raises_the_risk_flag_whatever_the_total() -> None:
    result = score(PHQ9, phq9(0, 0, 0, 0, 0, 0, 0, 0, 1))
    assert (result.total, result.band, result.flags) == (1, "Minimal", frozenset({"risk"}))


def test_phq9_item_9_at_0_raises_no_flag() -> None:
    assert score(PHQ9, phq9(3, 3, 3, 3, 3, 3, 3, 3, 0)).flags == frozenset()


def test_the_risk_flag_survives_answers_that_cannot_be_scored() -> None:
    with pytest.raises(AnswerError) as refused:
        score(PHQ9, phq9(None, None, None, 1, 1, 1, 1, 1, 2))
    assert refused.value.flags == {"risk"}


@pytest.mark.parametrize("item9", [True, 4, -1, "often", "1", 1.0, [1]])
def test_a_risk_item_that_cannot_be_read_is_named_unreadable(item9: object) -> None:
    with pytest.raises(AnswerError) as refused:
        score(PHQ9, phq9(1, 1, 1, 1, 1, 1, 1, 1, 0) | {"phq9_9": item9})
    assert refused.value.flags == frozenset()
    assert refused.value.unreadable == {"risk"}


@pytest.mark.parametrize("item9", [None, 0, 2])
def test_a_risk_item_read_or_left_unanswered_is_not_unreadable(item9: int | None) -> None:
    with pytest.raises(AnswerError) as refused:
        score(PHQ9, phq9(1, 1, 1, 1, 1, 1, 1, 1, 0) | {"phq9_9": item9, "phq9_1": "x"})
    assert refused.value.unreadable == frozenset()


def test_the_unscored_difficulty_item_is_kept_but_not_counted() -> None:
    result = score(PHQ9, phq9(1, 0, 0, 0, 0, 0, 0, 0, 0) | {"phq9_difficulty": 3})
    assert (result.total, result.answers["phq9_difficulty"]) == (1, 3)


def alliance(
    prefix: str, tension: int | None, *, scores: Sequence[int] = (5,) * 7
) -> dict[str, object]:
    names = ["heard", "understood", "respected", "safe", "goals", "approach", "overall"]
    answers: dict[str, object] = {
        f"{prefix}_{name}": s for name, s in zip(names, scores, strict=True)
    }
    answers[f"{prefix}_tension"] = tension
    return answers


@pytest.mark.parametrize("tension", [1, 2])
def test_the_client_check_in_flags_any_tension(tension: int) -> None:
    assert score(CLIENT, alliance("ac", tension)).flags == {"tension"}


def test_the_client_check_in_raises_no_flag_without_tension() -> None:
    assert score(CLIENT, alliance("ac", 0)).flags == frozenset()


def test_the_therapist_check_in_flags_tension_the_therapist_noticed() -> None:
    assert score(THERAPIST, alliance("at", 1)).flags == {"tension"}


def test_the_tension_question_is_required_but_repair_is_not() -> None:
    with pytest.raises(AnswerError) as refused:
        score(CLIENT, alliance("ac", None))
    assert problem_items(refused.value) == ["ac_tension"]
    assert score(CLIENT, alliance("ac", 2) | {"ac_repair": 4}).answers["ac_repair"] == 4


@pytest.mark.parametrize("repair", [0, 4])
def test_a_repair_answer_after_no_tension_is_refused_naming_both_items(repair: int) -> None:
    with pytest.raises(AnswerError) as refused:
        score(CLIENT, alliance("ac", 0) | {"ac_repair": repair})
    assert str(refused.value) == (
        "ac_repair: answered, but it is asked only when ac_tension is 1 or more, "
        "and ac_tension is 0"
    )


def test_the_therapists_repair_answer_follows_their_tension_answer_too() -> None:
    with pytest.raises(AnswerError) as refused:
        score(THERAPIST, alliance("at", 0) | {"at_repair": 3})
    assert problem_items(refused.value) == ["at_repair"]
    assert score(THERAPIST, alliance("at", 1) | {"at_repair": 3}).answers["at_repair"] == 3


def test_unasked_answers_lists_each_follow_up_answered_out_of_turn() -> None:
    assert unasked_answers(CLIENT, {"ac_tension": 1, "ac_repair": 2}) == []
    assert unasked_answers(CLIENT, {"ac_tension": 0}) == []
    assert unasked_answers(CLIENT, {"ac_tension": 0, "ac_repair": 2}) == [
        Problem(
            "ac_repair",
            "answered, but it is asked only when ac_tension is 1 or more, and ac_tension is 0",
        )
    ]
    assert unasked_answers(CLIENT, {"ac_repair": 2}) == [
        Problem(
            "ac_repair",
            "answered, but it is asked only when ac_tension is 1 or more, "
            "and ac_tension has no answer",
        )
    ]


def test_the_check_in_adds_its_subscales() -> None:
    result = score(CLIENT, alliance("ac", 0, scores=(5, 4, 5, 3, 2, 4, 3)))
    assert result.total == 26
    assert result.band is None
    assert result.subscales == {"bond": 17, "goals": 2, "approach": 4, "overall": 3}


def test_a_subscale_is_left_out_when_one_of_its_items_is_prorated() -> None:
    scale = Scale("yes_no", (Option(0, "No"), Option(1, "Yes")))
    items = tuple(Item(f"i{n}", f"Item {n}", scale) for n in range(1, 5))
    made_up = Instrument(
        code="made_up",
        name="Made up",
        short_name="Made up",
        version="1",
        licence="tests",
        source="tests",
        respondent="client",
        validated=False,
        higher_is="worse",
        minutes=1,
        items=items,
        proration=Proration(max_missing=1),
        subscales=(
            Subscale("first", "First", ("i1", "i2")),
            Subscale("last", "Last", ("i3", "i4")),
        ),
    )
    result = score(made_up, {"i1": 1, "i2": 1, "i3": 1})
    assert (result.total, result.subscales) == (4, {"first": 2})


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (True, "expected a whole number (0, 1, 2, 3), got True"),
        (False, "got False"),
        (1.0, "got 1.0"),
        ("1", "got '1'"),
        ([1], "got [1]"),
        (4, "4 is not one of the answers (0, 1, 2, 3)"),
        (-1, "-1 is not one of the answers"),
        (10**100, "a number that large"),
    ],
)
def test_it_refuses_an_answer_that_is_not_one_of_the_options(value: object, fragment: str) -> None:
    answers = phq9(0, 0, 0, 0, 0, 0, 0, 0, 0) | {"phq9_3": value}
    with pytest.raises(AnswerError) as refused:
        score(PHQ9, answers)
    [problem] = refused.value.problems
    assert problem.item == "phq9_3"
    assert fragment in problem.message


def test_it_refuses_an_unknown_item_and_lists_every_problem() -> None:
    answers = gad7(0, 0, 0, 0, 0, 0, 0) | {"gad7_8": 1, "gad7_1": 9}
    with pytest.raises(AnswerError) as refused:
        score(GAD7, answers)
    assert problem_items(refused.value) == ["gad7_1", "gad7_8"]
    assert isinstance(refused.value, ValueError)
    assert str(refused.value) == (
        "gad7_1: 9 is not one of the answers (0, 1, 2, 3); gad7_8: not a question of GAD-7"
    )


def test_none_counts_as_not_answered() -> None:
    result = score(PHQ9, phq9(1, 1, 1, 1, 1, 1, 1, 1, 0) | {"phq9_difficulty": None})
    assert "phq9_difficulty" not in result.answers


# --- properties over every shipped instrument --------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=8,
)
EXAMPLES = settings(max_examples=300, deadline=None)


def item_ids(instrument: Instrument) -> st.SearchStrategy[str]:
    return st.sampled_from([item.id for item in instrument.items])


@EXAMPLES
@given(st.sampled_from(list(INSTRUMENTS.values())), st.data())
def test_any_answers_give_a_score_or_an_answer_error(
    instrument: Instrument, data: st.DataObject
) -> None:
    keys = item_ids(instrument) | st.text(max_size=8)
    values = st.integers(min_value=-1, max_value=6) | JSON
    answers = data.draw(st.dictionaries(keys, values, max_size=12))
    outcome: Score | AnswerError
    try:
        outcome = score(instrument, answers)
    except AnswerError as error:  # the one exception allowed; anything else fails the test
        outcome = error
    if isinstance(outcome, AnswerError):
        assert outcome.problems
    else:
        assert instrument.min_total <= outcome.total <= instrument.max_total


@EXAMPLES
@given(st.sampled_from(list(INSTRUMENTS.values())), st.data())
def test_complete_answers_total_within_range_in_a_band_that_covers_it(
    instrument: Instrument, data: st.DataObject
) -> None:
    answers: dict[str, int] = {}
    for item in instrument.items:
        condition = item.enable_when
        if condition is not None and answers.get(condition.item, -1) < condition.at_least:
            continue  # a follow-up that is not asked
        if item.required or data.draw(st.booleans(), label=f"answer {item.id}"):
            answers[item.id] = data.draw(st.sampled_from(sorted(item.scale.values)), label=item.id)
    result = score(instrument, answers)
    assert result.total == sum(item.points(answers[item.id]) for item in instrument.scored_items)
    assert instrument.min_total <= result.total <= instrument.max_total
    assert not result.prorated
    if instrument.bands:
        band = instrument.band_for(result.total)
        assert band is not None
        assert band.label == result.band
        assert band.min <= result.total <= band.max
    else:
        assert result.band is None
    expected_flags = {f.code for f in instrument.flags if answers.get(f.item, -1) >= f.at_least}
    assert result.flags == expected_flags


@EXAMPLES
@given(
    st.lists(st.integers(min_value=0, max_value=3), min_size=9, max_size=9),
    st.sets(st.integers(min_value=1, max_value=8), max_size=2),
)
def test_prorated_phq9_totals_stay_in_range_and_in_a_band(
    values: list[int], gaps: set[int]
) -> None:
    answers = {f"phq9_{n}": value for n, value in enumerate(values, start=1) if n not in gaps}
    result = score(PHQ9, answers)
    assert 0 <= result.total <= 27
    assert result.band is not None
    assert result.prorated == bool(gaps)
    answered = [value for n, value in enumerate(values, start=1) if n not in gaps]
    # Rounded half up: within half a point of the exact estimate, never below it by a half.
    exact = sum(answered) * 9 / len(answered)
    assert exact - 0.5 < result.total <= exact + 0.5
