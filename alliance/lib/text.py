"""Text that a database can store.

UTF-8 has no encoding for half of a UTF-16 surrogate pair (U+D800 to U+DFFF), yet JSON's
`"\\ud800"` escape and a form declared in UTF-7 or UTF-16 both make one, and saving it fails in
every database driver. Such text is refused where it arrives, naming the field.
"""

import re

UNSTORABLE = (
    "This has a character that cannot be stored (half of a UTF-16 surrogate pair); "
    "please type it again."
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def text_storable(value: str) -> bool:
    return _SURROGATE.search(value) is None


def text_shown(value: str) -> str:
    """`value` with each unstorable character replaced by U+FFFD, to show back what was typed."""
    return _SURROGATE.sub("\ufffd", value)
