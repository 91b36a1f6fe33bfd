"""Answers as they arrive from outside (the API's JSON, a form's text), read as the numbers the
scoring core takes (docs/instruments.md, "What the API accepts").

The core takes only ints, and says so; this shell turns what is plainly a whole number into one
and leaves everything else as sent, for the core to refuse naming the item.
"""

import json
import math
import re
from collections.abc import Mapping
from typing import Any

# Digits only, with spaces around allowed; six are more than any scale needs, and bound the
# conversion (Python refuses to turn 4,300 digits into an int).
_DIGITS = re.compile(r"\s*([0-9]{1,6})\s*")


def answer_read(value: object) -> object:
    """1.0 and "1" (" 1 ") as 1; anything else (true, 1.5, "often", a list) unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and (digits := _DIGITS.fullmatch(value)):
        return int(digits.group(1))
    return value


def answers_read(answers: Mapping[str, object]) -> dict[str, object]:
    """Each answer read as `answer_read` does; the keys as sent."""
    return {key: answer_read(value) for key, value in answers.items()}


# No database's JSON stores NUL, nor half of a UTF-16 surrogate pair (alliance.lib.text).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Nesting kept in a stored copy; deeper is not an answer anyone meant, and is cut.
_DEPTH = 8


def storable(value: object, depth: int = 0) -> Any:
    """What was sent, as every database's JSON can hold it: characters none stores become
    U+FFFD, NaN and infinities their names, nesting past a few levels "…"."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if depth >= _DEPTH:
        return "…"
    if isinstance(value, Mapping):
        return {storable(str(key)): storable(item, depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [storable(item, depth + 1) for item in value]
    return storable(repr(value))


def value_shown(value: object) -> str:
    """A value as sent, for a person to read: JSON's spelling (true, "often"), kept short."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}…"
