import pytest

from alliance.lib.phone import phone_tel_uri


@pytest.mark.parametrize(
    ("shown", "uri"),
    [
        ("(239) 555-0142", "tel:+12395550142"),
        ("239.555.0142", "tel:+12395550142"),
        ("1 (239) 555-0142", "tel:+12395550142"),
        ("+1 239-555-0142", "tel:+12395550142"),
        ("+44 20 7946 0958", "tel:+442079460958"),
        ("(239) 555-0142 ext. 12", "tel:+12395550142;ext=12"),
        ("239-555-0142 x7", "tel:+12395550142;ext=7"),
        ("988", "tel:988"),
        ("911", "tel:911"),
        ("555-0142", "tel:5550142"),
    ],
)
def test_a_phone_number_as_typed_becomes_a_tel_link(shown: str, uri: str) -> None:
    assert phone_tel_uri(shown) == uri
