from alliance.lib.css import css_string


def test_plain_words_are_quoted_as_they_are() -> None:
    assert css_string("Printed Mon 7 Dec 2026, 9:26 AM") == '"Printed Mon 7 Dec 2026, 9:26 AM"'


def test_quotes_backslashes_and_markup_are_escaped_so_nothing_leaves_the_string() -> None:
    assert css_string('A "B" \\ </style>') == '"A \\22 B\\22  \\5c  \\3c \\2f style\\3e "'


def test_each_escape_ends_with_a_space_so_a_following_space_or_hex_letter_is_kept() -> None:
    assert css_string("Lucía; shred") == '"Luc\\ed a\\3b  shred"'
