"""Finding a person by name, e-mail or phone, ranked; the expected orders are worked by hand."""

import pytest

from alliance.lib.search import (
    EMAIL,
    EXACT,
    PHONE,
    PREFIX,
    WITHIN,
    WORD_PREFIX,
    email_hint,
    fold,
    match_rank,
    phone_hint,
)

PEOPLE = [
    ("Lucía Fernández", "lucia.f@example.com", "(239) 555-0142"),
    ("Lucía Fernández", "lferna@mail.test", "239-555-0199"),
    ("Ana Lucia Ortiz", "ana@example.com", ""),
    ("Paul Lucian", "paul@example.com", ""),
    ("Mae Zelucia", "mz@example.com", ""),
    ("Marisol Lu", "mlu@example.com", ""),
    ("Ben Ng", "bluciano@example.com", "+1 239 555 7788"),
]


def ranked(term: str) -> list[tuple[str, str]]:
    found = [
        (rank, name, email)
        for name, email, phone in PEOPLE
        if (rank := match_rank(term, name=name, email=email, phone=phone)) is not None
    ]
    return [(name, email) for _, name, email in sorted(found)]


def test_folding_drops_case_accents_and_extra_spaces() -> None:
    assert fold("  LUCÍA   Fernández ") == "lucia fernandez"
    assert fold("Zoë Ångström") == "zoe angstrom"


def test_lucia_finds_both_lucias_then_other_names_then_an_email() -> None:
    assert ranked("lucia") == [
        ("Lucía Fernández", "lferna@mail.test"),
        ("Lucía Fernández", "lucia.f@example.com"),
        ("Ana Lucia Ortiz", "ana@example.com"),
        ("Paul Lucian", "paul@example.com"),
        ("Mae Zelucia", "mz@example.com"),
        ("Ben Ng", "bluciano@example.com"),
    ]


def test_the_whole_name_comes_before_a_longer_one() -> None:
    assert match_rank("marisol lu", name="Marisol Lu", email="", phone="") == EXACT
    assert match_rank("marisol lu", name="Marisol Lucero", email="", phone="") == PREFIX
    assert ranked("marisol lu")[0] == ("Marisol Lu", "mlu@example.com")


def test_words_in_any_order_match_the_starts_of_words() -> None:
    assert match_rank("fern luc", name="Lucía Fernández", email="", phone="") == WORD_PREFIX
    assert match_rank("ortiz", name="Ana Lucia Ortiz", email="", phone="") == WORD_PREFIX
    assert match_rank("rtiz", name="Ana Lucia Ortiz", email="", phone="") == WITHIN


def test_an_email_is_matched_when_the_name_is_not() -> None:
    assert match_rank("mail.test", name="Lucía Fernández", email="lferna@mail.test", phone="") == (
        EMAIL
    )


def test_a_phone_matches_by_its_digits_however_it_is_typed() -> None:
    assert ranked("555 0142") == [("Lucía Fernández", "lucia.f@example.com")]
    assert ranked("(239) 555-7788") == [("Ben Ng", "bluciano@example.com")]
    assert match_rank("0199", name="Lucía Fernández", email="", phone="239-555-0199") == PHONE


def test_too_few_digits_or_nothing_at_all_finds_nobody() -> None:
    assert ranked("55") == []
    assert ranked("   ") == []
    assert match_rank("zz", name="Lucía Fernández", email="l@example.com", phone="5550142") is None


@pytest.mark.parametrize(
    ("email", "hint"),
    [("lucia.f@example.com", "l•••@example.com"), ("", ""), ("not-an-address", "")],
)
def test_email_hints_keep_the_first_letter_and_the_domain(email: str, hint: str) -> None:
    assert email_hint(email) == hint


def test_phone_hints_give_the_last_four_digits() -> None:
    assert phone_hint("(239) 555-0142") == "phone ends 0142"
    assert phone_hint("12") == ""
