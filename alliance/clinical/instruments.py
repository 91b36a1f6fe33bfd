"""Instruments as data: frozen dataclasses, and the loader that reads and checks TOML definitions.

Every shipped rule (bands, cut-off, reverse keying, proration, flags, subscales) is data in a
definition file, so a practice that holds a licence for an instrument we may not ship (ORS/SRS,
WAI-SR, ...) adds it with a file of its own and no code. Because those files are written by hand,
the loader checks everything and refuses a broken file with a message that names the file and the
field (``phq9.toml: items[8].scale: unknown scale 'freq'``): a questionnaire that scores wrongly in
silence is worse than one that does not load. docs/instruments.md describes the format.
"""

import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal, cast

Respondent = Literal["client", "therapist"]
HigherIs = Literal["worse", "better"]

SHIPPED_DIR = Path(__file__).parent / "definitions"
RESPONDENTS: tuple[Respondent, ...] = ("client", "therapist")
DIRECTIONS: tuple[HigherIs, ...] = ("worse", "better")

_IDENT = re.compile(r"[a-z0-9_]+")
_LOINC = re.compile(r"[0-9]{1,7}-[0-9]")
_LOINC_ANSWER = re.compile(r"LA[0-9]{1,6}-[0-9]")


class InstrumentError(ValueError):
    """A definition is broken; the message names the file and the field."""


@dataclass(frozen=True, slots=True)
class Option:
    """One answer on a scale: the value stored and scored, and the words shown."""

    value: int
    label: str
    loinc: str | None = None


@dataclass(frozen=True, slots=True)
class Scale:
    """A named list of answers, shared by the items that use it. Options keep the file's order,
    which is the order they are shown in."""

    code: str
    options: tuple[Option, ...]

    @property
    def values(self) -> frozenset[int]:
        return frozenset(option.value for option in self.options)

    @property
    def min(self) -> int:
        return min(self.values)

    @property
    def max(self) -> int:
        return max(self.values)


@dataclass(frozen=True, slots=True)
class Condition:
    """When a follow-up is asked: the answer to an earlier item is at least ``at_least``."""

    item: str
    at_least: int


@dataclass(frozen=True, slots=True)
class Item:
    """One question. Scored items count towards the total and are always required (gaps in a
    record are handled by the instrument's proration rule, not per item). A follow-up
    (``enable_when``) may be answered only when its condition holds."""

    id: str
    text: str
    scale: Scale
    scored: bool = True
    required: bool = True
    reverse: bool = False
    loinc: str | None = None
    enable_when: Condition | None = None

    def points(self, value: int) -> int:
        """What an answer adds to the total. Reverse keying is bound to the item, not to its
        position, because two item orders of the RSES circulate."""
        return self.scale.max + self.scale.min - value if self.reverse else value


@dataclass(frozen=True, slots=True)
class Band:
    """A labelled range of totals, both ends included."""

    min: int
    max: int
    label: str
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Flag:
    """Raised when one item's answer (as given, before reverse keying) is at least ``at_least``,
    whatever the total: PHQ-9 item 9 must never hide behind a low total."""

    code: str
    item: str
    at_least: int
    label: str


@dataclass(frozen=True, slots=True)
class Proration:
    """How many scored items a record may lack and still get a total, and which never."""

    max_missing: int
    never_missing: tuple[str, ...] = ()
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Subscale:
    code: str
    label: str
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Instrument:
    code: str
    name: str
    short_name: str
    version: str
    licence: str
    source: str
    respondent: Respondent
    validated: bool  # False for the project's own check-in; people are told it is not validated
    higher_is: HigherIs
    minutes: int
    items: tuple[Item, ...]
    stem: str | None = None
    bands: tuple[Band, ...] = ()
    cutoff: int | None = None
    cutoff_source: str | None = None
    reliable_change: float | None = None
    reliable_change_source: str | None = None
    proration: Proration | None = None
    flags: tuple[Flag, ...] = ()
    subscales: tuple[Subscale, ...] = ()
    loinc_panel: str | None = None
    loinc_total: str | None = None

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.scored)

    @property
    def min_total(self) -> int:
        return sum(min(item.points(v) for v in item.scale.values) for item in self.scored_items)

    @property
    def max_total(self) -> int:
        return sum(max(item.points(v) for v in item.scale.values) for item in self.scored_items)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def band_for(self, total: int) -> Band | None:
        for band in self.bands:
            if band.min <= total <= band.max:
                return band
        return None


def load_instruments(directories: Sequence[Path] = ()) -> dict[str, Instrument]:
    """The shipped definitions, then every ``*.toml`` in each extra directory, keyed by code.

    A code defined twice is refused, naming both files: a practice's file cannot silently
    replace a shipped instrument.
    """
    instruments: dict[str, Instrument] = {}
    origins: dict[str, Path] = {}
    for directory in (SHIPPED_DIR, *directories):
        if not directory.is_dir():
            raise InstrumentError(f"{directory}: not a directory of instrument definitions")
        for path in sorted(directory.glob("*.toml")):
            instrument = load_instrument(path)
            if instrument.code in origins:
                raise InstrumentError(
                    f"{path}: code: {instrument.code!r} is already defined in "
                    f"{origins[instrument.code]}"
                )
            origins[instrument.code] = path
            instruments[instrument.code] = instrument
    return instruments


@cache
def shipped_instruments() -> Mapping[str, Instrument]:
    """The instruments shipped with Alliance, loaded once."""
    return MappingProxyType(load_instruments())


def load_instrument(path: Path) -> Instrument:
    """Read and check one definition file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise InstrumentError(f"{path.name}: not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise InstrumentError(f"{path}: cannot be read ({error.strerror})") from None
    except tomllib.TOMLDecodeError as error:
        raise InstrumentError(f"{path.name}: not valid TOML: {error}") from None
    instrument = _parse_instrument(_Table(path.name, "", data))
    if instrument.code != path.stem:
        raise InstrumentError(
            f"{path.name}: code: {instrument.code!r} must match the file name "
            f"({instrument.code}.toml)"
        )
    return instrument


# --- reading one table ------------------------------------------------------------------------

_MISSING: object = object()
_KINDS: tuple[tuple[type, str], ...] = (
    (bool, "true/false"),  # before int: to Python, True is an int
    (int, "an integer"),
    (float, "a number"),
    (str, "text"),
    (list, "a list"),
    (dict, "a table"),
)


def _kind(value: object) -> str:
    return next((name for kind, name in _KINDS if isinstance(value, kind)), "a date or time")


class _Table:
    """Takes the fields out of one TOML table; whatever is left at the end is an unknown field.

    Every error goes through ``error`` so that each message names the file and the field path.
    """

    def __init__(self, file: str, where: str, data: Mapping[str, object]) -> None:
        self.file = file
        self.where = where
        self.data = dict(data)

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def error(self, key: str, message: str) -> InstrumentError:
        return InstrumentError(f"{self.file}: {self.path(key)}: {message}")

    def _take(
        self, key: str, expected: str, test: type | tuple[type, ...], default: object
    ) -> object:
        value = self.data.pop(key, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                raise self.error(key, f"missing (expected {expected})")
            return default
        # TOML keeps true and 1 apart but Python does not (a bool is an int), so check both ways.
        if isinstance(value, bool) != (test is bool) or not isinstance(value, test):
            raise self.error(key, f"expected {expected}, got {_kind(value)}")
        return value

    def text(self, key: str, default: object = _MISSING) -> str:
        value = self._take(key, "text", str, default)
        if isinstance(value, str) and not value.strip():
            raise self.error(key, "must not be empty")
        return cast(str, value)

    def optional_text(self, key: str) -> str | None:
        return self.text(key, None) if key in self.data else None

    def ident(self, key: str) -> str:
        value = self.text(key)
        if not _IDENT.fullmatch(value):
            raise self.error(key, f"{value!r} may only use a-z, 0-9 and _")
        return value

    def integer(self, key: str, default: object = _MISSING) -> int:
        return cast(int, self._take(key, "an integer", int, default))

    def number(self, key: str) -> float | None:
        value = self._take(key, "a number", (int, float), None)
        if isinstance(value, float) and not math.isfinite(value):
            raise self.error(key, "must be a finite number")
        return cast(float | None, value)

    def boolean(self, key: str, default: object = _MISSING) -> bool:
        return cast(bool, self._take(key, "true or false", bool, default))

    def choice[T: str](self, key: str, allowed: tuple[T, ...]) -> T:
        value = self.text(key)
        if value not in allowed:
            names = " or ".join(repr(name) for name in allowed)
            raise self.error(key, f"{value!r} is not allowed (use {names})")
        return value

    def loinc(self, key: str, pattern: re.Pattern[str] = _LOINC) -> str | None:
        value = self.optional_text(key)
        if value is None:
            return None
        if not pattern.fullmatch(value):
            raise self.error(key, f"{value!r} is not a LOINC code")
        if pattern is _LOINC and not _loinc_check_digit_ok(value):
            raise self.error(key, f"{value!r} has a wrong check digit (a typo?)")
        return value

    def tables(self, key: str) -> list["_Table"]:
        """An array of tables (``[[items]]``, or a list of inline tables)."""
        value = self._take(key, "a list of tables", list, [])
        tables = []
        for index, entry in enumerate(cast(list[object], value)):
            if not isinstance(entry, dict):
                raise self.error(f"{key}[{index}]", f"expected a table, got {_kind(entry)}")
            tables.append(_Table(self.file, f"{self.path(key)}[{index}]", entry))
        return tables

    def table(self, key: str) -> "_Table | None":
        value = self._take(key, "a table", dict, None)
        if value is None:
            return None
        return _Table(self.file, self.path(key), cast(dict[str, object], value))

    def subtables(self, key: str) -> dict[str, "_Table"]:
        """A table of named tables (``[scales.frequency]``)."""
        outer = self.table(key)
        if outer is None:
            return {}
        for name in outer.data:
            if not _IDENT.fullmatch(name):
                raise outer.error(name, f"the name {name!r} may only use a-z, 0-9 and _")
        return {name: cast(_Table, outer.table(name)) for name in list(outer.data)}

    def ids(self, key: str, default: object = _MISSING) -> list[str]:
        ids = cast(list[object], self._take(key, "a list of item ids", list, default))
        for index, entry in enumerate(ids):
            if not isinstance(entry, str):
                raise self.error(f"{key}[{index}]", f"expected an item id, got {_kind(entry)}")
        return cast(list[str], ids)

    def finish(self) -> None:
        if self.data:
            raise self.error(next(iter(self.data)), "unknown field")


def _loinc_check_digit_ok(code: str) -> bool:
    # LOINC's check digit is the Luhn mod-10 digit of the number before the hyphen.
    number, check = code.split("-")
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char) * (2 if position % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return (10 - total % 10) % 10 == int(check)


# --- the instrument, field by field --------------------------------------------------------------


def _parse_instrument(table: _Table) -> Instrument:
    draft = Instrument(
        code=table.ident("code"),
        name=table.text("name"),
        short_name=table.text("short_name"),
        version=table.text("version"),
        licence=table.text("licence"),
        source=table.text("source"),
        respondent=table.choice("respondent", RESPONDENTS),
        validated=table.boolean("validated"),
        stem=table.optional_text("stem"),
        higher_is=table.choice("higher_is", DIRECTIONS),
        minutes=table.integer("minutes"),
        loinc_panel=table.loinc("loinc_panel"),
        loinc_total=table.loinc("loinc_total"),
        items=(),
    )
    if draft.minutes < 1:
        raise table.error("minutes", f"must be at least 1, got {draft.minutes}")
    scales = {code: _parse_scale(code, sub) for code, sub in table.subtables("scales").items()}
    # Everything after the items is checked against them (the range of the total, item ids).
    draft = replace(draft, items=_parse_items(table, scales))
    unused = sorted(set(scales) - {item.scale.code for item in draft.items})
    if unused:
        raise table.error(f"scales.{unused[0]}", "not used by any item")
    bands = _parse_bands(table, draft)
    cutoff, cutoff_source = _parse_cutoff(table, draft)
    reliable_change, reliable_change_source = _parse_reliable_change(table, draft)
    proration = _parse_proration(table, draft)
    flags = _parse_flags(table, draft)
    subscales = _parse_subscales(table, draft)
    table.finish()
    return replace(
        draft,
        bands=bands,
        cutoff=cutoff,
        cutoff_source=cutoff_source,
        reliable_change=reliable_change,
        reliable_change_source=reliable_change_source,
        proration=proration,
        flags=flags,
        subscales=subscales,
    )


def _parse_scale(code: str, table: _Table) -> Scale:
    options = []
    for entry in table.tables("options"):
        value, label = entry.integer("value"), entry.text("label")
        options.append(Option(value, label, entry.loinc("loinc", _LOINC_ANSWER)))
        entry.finish()
    if len(options) < 2:
        raise table.error("options", "a scale needs at least two options")
    for index, option in enumerate(options):
        earlier = options[:index]
        if option.value in {other.value for other in earlier}:
            raise table.error(f"options[{index}].value", f"{option.value} is used twice")
        if option.label in {other.label for other in earlier}:
            raise table.error(f"options[{index}].label", f"{option.label!r} is used twice")
    table.finish()
    return Scale(code=code, options=tuple(options))


def _parse_items(table: _Table, scales: Mapping[str, Scale]) -> tuple[Item, ...]:
    items: list[Item] = []
    for entry in table.tables("items"):
        item_id = entry.ident("id")
        if item_id in {item.id for item in items}:
            raise entry.error("id", f"{item_id!r} is used twice")
        text = entry.text("text")
        scale_code = entry.text("scale")
        if scale_code not in scales:
            raise entry.error("scale", f"unknown scale {scale_code!r}")
        scored = entry.boolean("scored", True)
        required = entry.boolean("required", scored)
        if scored and not required:
            raise entry.error(
                "required", "a scored item is always required (gaps are for proration)"
            )
        reverse = entry.boolean("reverse", False)
        if reverse and not scored:
            raise entry.error("reverse", "only a scored item can be reverse-keyed")
        loinc = entry.loinc("loinc")
        enable_when = _parse_enable_when(entry, items, always_asked=required)
        entry.finish()
        item = Item(
            item_id, text, scales[scale_code], scored, required, reverse, loinc, enable_when
        )
        items.append(item)
    if not any(item.scored for item in items):
        raise table.error("items", "an instrument needs at least one scored item")
    return tuple(items)


def _parse_enable_when(
    entry: _Table, earlier: list[Item], *, always_asked: bool
) -> Condition | None:
    condition = entry.table("enable_when")
    if condition is None:
        return None
    if always_asked:
        raise entry.error("enable_when", "only an optional, unscored item can be a follow-up")
    item_id = condition.text("item")
    asked = next((item for item in earlier if item.id == item_id), None)
    if asked is None:
        raise condition.error("item", f"{item_id!r} is not an item before this one")
    at_least = condition.integer("at_least")
    if not asked.scale.min < at_least <= asked.scale.max:
        raise condition.error(
            "at_least",
            f"{at_least} must be above {asked.scale.min} and at most {asked.scale.max}, "
            f"or the question would always or never be asked",
        )
    condition.finish()
    return Condition(item_id, at_least)


def _parse_bands(table: _Table, draft: Instrument) -> tuple[Band, ...]:
    bands: list[Band] = []
    entries = table.tables("bands")
    for index, entry in enumerate(entries):
        low, high, label = entry.integer("min"), entry.integer("max"), entry.text("label")
        band = Band(low, high, label, entry.optional_text("source"))
        entry.finish()
        if band.max < band.min:
            raise entry.error("max", f"{band.max} is below this band's min, {band.min}")
        if band.label in {other.label for other in bands}:
            raise entry.error("label", f"{band.label!r} is used twice")
        expected = bands[-1].max + 1 if bands else draft.min_total
        if band.min != expected:
            raise entry.error("min", _band_start_problem(band.min, expected, index))
        bands.append(band)
    if bands and bands[-1].max != draft.max_total:
        raise entries[-1].error(
            "max",
            f"{bands[-1].max}: the last band must end at the highest total, {draft.max_total}",
        )
    return tuple(bands)


def _band_start_problem(start: int, expected: int, index: int) -> str:
    if index == 0:
        return f"{start}: the first band must start at the lowest total, {expected}"
    before = f"bands[{index - 1}], which ends at {expected - 1}"
    if start < expected:
        return f"{start} overlaps {before}"
    return f"{start} leaves a gap after {before} (each band starts where the last one ended)"


def _parse_cutoff(table: _Table, draft: Instrument) -> tuple[int | None, str | None]:
    cutoff = table.integer("cutoff") if "cutoff" in table.data else None
    source = table.optional_text("cutoff_source")
    if cutoff is None:
        if source is not None:
            raise table.error("cutoff_source", "given without a cutoff")
        return None, None
    # Caseness is total >= cutoff (or <= when higher is better): both sides must be reachable.
    worse = draft.higher_is == "worse"
    low, high = draft.min_total + worse, draft.max_total - (not worse)
    if not low <= cutoff <= high:
        raise table.error(
            "cutoff",
            f"{cutoff} is outside {low}..{high}, so every total or none would be a case",
        )
    return cutoff, source


def _parse_reliable_change(table: _Table, draft: Instrument) -> tuple[float | None, str | None]:
    reliable_change = table.number("reliable_change")
    source = table.optional_text("reliable_change_source")
    if reliable_change is None:
        if source is not None:
            raise table.error("reliable_change_source", "given without a reliable_change")
        return None, None
    span = draft.max_total - draft.min_total
    if not 0 < reliable_change <= span:
        raise table.error(
            "reliable_change", f"{reliable_change} must be above 0 and at most {span}, the range"
        )
    return reliable_change, source


def _parse_proration(table: _Table, draft: Instrument) -> Proration | None:
    entry = table.table("proration")
    if entry is None:
        return None
    scored = draft.scored_items
    max_missing = entry.integer("max_missing")
    if not 1 <= max_missing < len(scored):
        raise entry.error(
            "max_missing", f"{max_missing} must be from 1 to {len(scored) - 1} (of {len(scored)})"
        )
    never_missing = entry.ids("never_missing", [])
    for index, item_id in enumerate(never_missing):
        _item_ref(entry, f"never_missing[{index}]", item_id, draft, scored=True)
        if item_id in never_missing[:index]:
            raise entry.error(f"never_missing[{index}]", f"{item_id!r} is listed twice")
    source = entry.optional_text("source")
    entry.finish()
    # The mean of the answered items stands in for the missing ones, which is only fair when
    # every item counts on the same range.
    ranges = {(item.scale.min, item.scale.max) for item in scored}
    if len(ranges) > 1:
        raise table.error("proration", "needs every scored item to count on the same range")
    return Proration(max_missing, tuple(never_missing), source)


def _parse_flags(table: _Table, draft: Instrument) -> tuple[Flag, ...]:
    flags: list[Flag] = []
    for entry in table.tables("flags"):
        code = entry.ident("code")
        if code in {flag.code for flag in flags}:
            raise entry.error("code", f"{code!r} is used twice")
        item_id = entry.text("item")
        item = _item_ref(entry, "item", item_id, draft, scored=False)
        at_least = entry.integer("at_least")
        if not item.scale.min < at_least <= item.scale.max:
            raise entry.error(
                "at_least",
                f"{at_least} must be above {item.scale.min} and at most {item.scale.max}, "
                f"or the flag would always or never be raised",
            )
        flags.append(Flag(code, item_id, at_least, entry.text("label")))
        entry.finish()
    return tuple(flags)


def _parse_subscales(table: _Table, draft: Instrument) -> tuple[Subscale, ...]:
    subscales: list[Subscale] = []
    for entry in table.tables("subscales"):
        code = entry.ident("code")
        if code in {subscale.code for subscale in subscales}:
            raise entry.error("code", f"{code!r} is used twice")
        label = entry.text("label")
        items = entry.ids("items")
        if not items:
            raise entry.error("items", "a subscale needs at least one item")
        for index, item_id in enumerate(items):
            _item_ref(entry, f"items[{index}]", item_id, draft, scored=True)
            if item_id in items[:index]:
                raise entry.error(f"items[{index}]", f"{item_id!r} is listed twice")
        entry.finish()
        subscales.append(Subscale(code, label, tuple(items)))
    return tuple(subscales)


def _item_ref(table: _Table, key: str, item_id: str, draft: Instrument, *, scored: bool) -> Item:
    """The item a flag, subscale or proration rule names; subscales and proration need it scored."""
    try:
        item = draft.item(item_id)
    except KeyError:
        raise table.error(key, f"unknown item {item_id!r}") from None
    if scored and not item.scored:
        raise table.error(key, f"{item_id!r} is not a scored item")
    return item
