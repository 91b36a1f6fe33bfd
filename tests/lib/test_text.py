import pytest

from alliance.lib.text import text_shown, text_storable


@pytest.mark.parametrize("value", ["", "Riley", "Zoë 😀", "\ufffd"])
def test_text_utf8_can_encode_is_storable(value: str) -> None:
    assert text_storable(value)
    assert text_shown(value) == value


@pytest.mark.parametrize(
    ("value", "shown"),
    [("\ud800", "\ufffd"), ("Sam \udfff!", "Sam \ufffd!"), ("\udc00\ud83d", "\ufffd\ufffd")],
)
def test_half_a_surrogate_pair_is_not_and_is_shown_replaced(value: str, shown: str) -> None:
    assert not text_storable(value)
    assert text_shown(value) == shown
    shown.encode("utf-8")  # what is shown back can be sent
