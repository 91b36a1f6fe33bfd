"""Finding a person by what the front desk types: part of a name, an e-mail or a phone number.

Matching ignores case and accents ("lucia" finds "Lucía") and compares phone numbers by their
digits only. The databases we run on fold accents differently (SQLite not at all), so the
folding is done here, the same on every one.
"""

import unicodedata

# Best first: the whole name, the name's start, a word's start, anywhere in the name, then the
# e-mail and the phone, which people type when the name is common.
EXACT, PREFIX, WORD_PREFIX, WITHIN, EMAIL, PHONE = range(6)
MIN_PHONE_DIGITS = 3


def fold(text: str) -> str:
    """Lower case, accents dropped, spaces collapsed: "  LUCÍA  Fernández" → "lucia fernandez"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


def digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


def match_rank(term: str, *, name: str, email: str, phone: str) -> int | None:
    """How well `term` finds this person (lower is better), or None when it does not."""
    wanted = fold(term)
    if not wanted:
        return None
    folded = fold(name)
    words = folded.split()
    if folded == wanted:
        return EXACT
    if folded.startswith(wanted):
        return PREFIX
    if all(any(word.startswith(part) for word in words) for part in wanted.split()):
        return WORD_PREFIX
    if wanted in folded:
        return WITHIN
    if email and wanted in fold(email):
        return EMAIL
    number = digits(term)
    typed_a_number = len(number) >= MIN_PHONE_DIGITS and not any(c.isalpha() for c in term)
    return PHONE if typed_a_number and number in digits(phone) else None


def email_hint(email: str) -> str:
    """Enough of an e-mail to tell two people apart, not enough to read it out: "l•••@mail.com"."""
    local, at, domain = email.partition("@")
    if not at:
        return ""
    return f"{local[:1]}•••@{domain}"


def phone_hint(phone: str) -> str:
    """The last digits of a phone number: "ends 0142"."""
    number = digits(phone)
    return f"phone ends {number[-4:]}" if len(number) >= 4 else ""
