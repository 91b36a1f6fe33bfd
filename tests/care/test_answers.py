"""Reading answers as they arrive (alliance.care.answers): the API's one rule for numbers."""

import math

import pytest

from alliance.care.answers import answer_read, answers_read, storable, value_shown


@pytest.mark.parametrize(
    ("sent", "read"),
    [(2, 2), (2.0, 2), ("2", 2), (" 3 ", 3), ("0", 0), ("007", 7), (-1.0, -1), (1e15, 10**15)],
)
def test_it_reads_whole_numbers_however_they_are_written(sent: object, read: int) -> None:
    assert answer_read(sent) == read
    assert type(answer_read(sent)) is int


@pytest.mark.parametrize(
    "sent",
    [True, False, None, 1.5, "1.5", "-1", "+1", "two", "", " ", "1 2", "\u0661", "9" * 7,
     [1], {"value": 1}, math.nan, math.inf],
)  # fmt: skip
def test_it_leaves_everything_else_as_sent(sent: object) -> None:
    read = answer_read(sent)
    assert read is sent or (isinstance(sent, float) and math.isnan(sent) and read is sent)


def test_it_keeps_the_keys_of_a_record() -> None:
    assert answers_read({"phq9_9": "1", "odd": "x"}) == {"phq9_9": 1, "odd": "x"}


def test_a_stored_copy_holds_what_no_database_refuses() -> None:
    sent = {"a": "x\x00y", "b": "\ud800", "c": math.nan, "d": [[[[[[[[[[1]]]]]]]]]], "e": True}
    assert storable(sent) == {
        "a": "x\ufffdy",
        "b": "\ufffd",
        "c": "nan",
        "d": [[[[[[["…"]]]]]]],  # seven levels kept
        "e": True,
    }


def test_a_value_is_shown_in_jsons_spelling_and_short() -> None:
    assert value_shown(True) == "true"
    assert value_shown("often") == '"often"'
    assert value_shown(None) == "null"
    assert value_shown("x" * 100) == '"' + "x" * 56 + "…"
