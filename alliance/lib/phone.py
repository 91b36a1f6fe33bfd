"""Phone numbers as typed ("(239) 555-0142") made into `tel:` links (RFC 3966), which allow
no spaces: the number is shown as typed, and dialled from the link."""

import re

# "ext. 12", "x12" or "#12" at the end: an extension, dialled after the call connects.
_EXTENSION = re.compile(r"\s*(?:ext\.?|x|#)\s*(\d+)\s*$", re.IGNORECASE)


def phone_tel_uri(number: str) -> str:
    """`tel:` and the digits, in E.164 (+1…) for a North American 10-digit number, which is
    what the practice's own number is; short codes such as 988 stay as they are."""
    extension = ""
    found = _EXTENSION.search(number)
    if found:
        extension = f";ext={found.group(1)}"
        number = number[: found.start()]
    digits = re.sub(r"[^0-9]", "", number)
    if number.strip().startswith("+"):
        digits = "+" + digits
    elif len(digits) == 10:
        digits = "+1" + digits
    elif len(digits) == 11 and digits.startswith("1"):
        digits = "+" + digits
    return f"tel:{digits}{extension}"
