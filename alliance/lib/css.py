"""Text placed inside a CSS string, such as a printed page's footer (`content: var(...)`)."""

import re

# Everything else is written as a hex escape, which cannot close the string, the rule or the
# <style> element it sits in.
_UNSAFE = re.compile(r"[^A-Za-z0-9 .,:'()\-]")


def css_string(value: str) -> str:
    """`value` as a double-quoted CSS string."""
    # The space after each escape ends it and is read as part of it, so a real space or a
    # hex letter after the character keeps its meaning.
    return '"' + _UNSAFE.sub(lambda found: f"\\{ord(found.group()):x} ", value) + '"'
