"""The definition loader: the shipped instruments as specified, and every broken file refused with
a message that names the file and the field."""

import re
import shutil
from pathlib import Path

import pytest

from alliance.clinical.instruments import (
    SHIPPED_DIR,
    Condition,
    InstrumentError,
    load_instrument,
    load_instruments,
    shipped_instruments,
)
from alliance.clinical.scoring import caseness, score
from alliance.clinical.signals.rupture import REPAIR_ASKED_FROM_TENSION

DOCS = Path(__file__).resolve().parents[2] / "docs" / "instruments.md"

# A small valid definition; each broken case below changes one thing in it.
TINY = """\
code = "tiny"
name = "Tiny test instrument"
short_name = "Tiny"
version = "1"
licence = "Made up for tests."
source = "tests/clinical"
respondent = "client"
validated = false
higher_is = "worse"
minutes = 1
cutoff = 3
reliable_change = 2
proration = { max_missing = 1, never_missing = ["t_2"] }

[scales.freq]
options = [
    { value = 0, label = "Never" },
    { value = 1, label = "Sometimes" },
    { value = 2, label = "Often" },
]

[[items]]
id = "t_1"
text = "First"
scale = "freq"

[[items]]
id = "t_2"
text = "Second"
scale = "freq"

[[items]]
id = "t_3"
text = "Third"
scale = "freq"
scored = false

[[bands]]
min = 0
max = 1
label = "Low"

[[bands]]
min = 2
max = 4
label = "High"

[[flags]]
code = "alarm"
item = "t_2"
at_least = 2
label = "Alarm"

[[subscales]]
code = "both"
label = "Both"
items = ["t_1", "t_2"]
"""


def write(directory: Path, text: str, name: str = "tiny.toml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def edited(old: str, new: str) -> str:
    assert TINY.count(old) == 1, f"the edit {old!r} must match exactly once"
    return TINY.replace(old, new)


def test_the_tiny_definition_is_valid(tmp_path: Path) -> None:
    write(tmp_path, TINY)
    tiny = load_instruments([tmp_path])["tiny"]
    assert (tiny.min_total, tiny.max_total) == (0, 4)
    assert [item.id for item in tiny.scored_items] == ["t_1", "t_2"]


BROKEN = [
    # (what is wrong, old text, new text, the start of the message)
    ("toml syntax", "minutes = 1\n", "minutes = \n", "tiny.toml: not valid TOML: "),
    ("missing field", 'name = "Tiny test instrument"\n', "", "tiny.toml: name: missing"),
    ("extra field", "minutes = 1\n", 'minutes = 1\ncolour = "red"\n', "tiny.toml: colour: unknown"),
    (
        "extra item field",
        'text = "First"\n',
        'text = "First"\ncolour = "red"\n',
        "tiny.toml: items[0].colour: unknown field",
    ),
    (
        "text for a number",
        "minutes = 1\n",
        'minutes = "1"\n',
        "tiny.toml: minutes: expected an integer, got text",
    ),
    (
        "true for a number",
        "minutes = 1\n",
        "minutes = true\n",
        "tiny.toml: minutes: expected an integer, got true/false",
    ),
    ("minutes zero", "minutes = 1\n", "minutes = 0\n", "tiny.toml: minutes: must be at least 1"),
    (
        "number for text",
        'version = "1"',
        "version = 1",
        "tiny.toml: version: expected text, got an integer",
    ),
    ("empty text", 'text = "First"', 'text = "  "', "tiny.toml: items[0].text: must not be empty"),
    (
        "unknown scale",
        'text = "Second"\nscale = "freq"',
        'text = "Second"\nscale = "frq"',
        "tiny.toml: items[1].scale: unknown scale 'frq'",
    ),
    (
        "number for a scale",
        'text = "First"\nscale = "freq"',
        'text = "First"\nscale = 3',
        "tiny.toml: items[0].scale: expected text, got an integer",
    ),
    (
        "duplicate item id",
        'id = "t_2"',
        'id = "t_1"',
        "tiny.toml: items[1].id: 't_1' is used twice",
    ),
    ("bad item id", 'id = "t_1"', 'id = "T-1"', "tiny.toml: items[0].id: 'T-1' may only use"),
    (
        "scored item not required",
        'text = "First"\n',
        'text = "First"\nrequired = false\n',
        "tiny.toml: items[0].required: a scored item is always required",
    ),
    (
        "unscored item reversed",
        "scored = false\n",
        "scored = false\nreverse = true\n",
        "tiny.toml: items[2].reverse: only a scored item",
    ),
    (
        "repeated option value",
        '{ value = 1, label = "Sometimes" }',
        '{ value = 0, label = "Sometimes" }',
        "tiny.toml: scales.freq.options[1].value: 0 is used twice",
    ),
    (
        "decimal option value",
        '{ value = 1, label = "Sometimes" }',
        '{ value = 1.5, label = "Sometimes" }',
        "tiny.toml: scales.freq.options[1].value: expected an integer, got a number",
    ),
    (
        "repeated option label",
        '{ value = 1, label = "Sometimes" }',
        '{ value = 1, label = "Never" }',
        "tiny.toml: scales.freq.options[1].label: 'Never' is used twice",
    ),
    (
        "unused scale",
        '[[items]]\nid = "t_1"',
        '[scales.spare]\noptions = [{ value = 0, label = "A" }, { value = 1, label = "B" }]\n\n'
        '[[items]]\nid = "t_1"',
        "tiny.toml: scales.spare: not used by any item",
    ),
    (
        "bands overlapping",
        "min = 2\nmax = 4",
        "min = 1\nmax = 4",
        "tiny.toml: bands[1].min: 1 overlaps bands[0], which ends at 1",
    ),
    (
        "bands with a gap",
        "min = 2\nmax = 4",
        "min = 3\nmax = 4",
        "tiny.toml: bands[1].min: 3 leaves a gap after bands[0], which ends at 1",
    ),
    (
        "bands starting above the lowest total",
        "min = 0\nmax = 1",
        "min = 1\nmax = 1",
        "tiny.toml: bands[0].min: 1: the first band must start at the lowest total, 0",
    ),
    (
        "bands ending below the highest total",
        "min = 2\nmax = 4",
        "min = 2\nmax = 3",
        "tiny.toml: bands[1].max: 3: the last band must end at the highest total, 4",
    ),
    (
        "band upside down",
        "min = 2\nmax = 4",
        "min = 2\nmax = 1",
        "tiny.toml: bands[1].max: 1 is below this band's min, 2",
    ),
    (
        "flag on an unknown item",
        'item = "t_2"',
        'item = "t_9"',
        "tiny.toml: flags[0].item: unknown item 't_9'",
    ),
    (
        "flag that can never be raised",
        "at_least = 2",
        "at_least = 3",
        "tiny.toml: flags[0].at_least: 3 must be above 0 and at most 2",
    ),
    (
        "flag that is always raised",
        "at_least = 2",
        "at_least = 0",
        "tiny.toml: flags[0].at_least: 0 must be above 0",
    ),
    (
        "proration naming an unknown item",
        'never_missing = ["t_2"]',
        'never_missing = ["t_9"]',
        "tiny.toml: proration.never_missing[0]: unknown item 't_9'",
    ),
    (
        "proration naming an unscored item",
        'never_missing = ["t_2"]',
        'never_missing = ["t_3"]',
        "tiny.toml: proration.never_missing[0]: 't_3' is not a scored item",
    ),
    (
        "proration allowing every item missing",
        "max_missing = 1",
        "max_missing = 2",
        "tiny.toml: proration.max_missing: 2 must be from 1 to 1",
    ),
    (
        "proration with an unknown field",
        "max_missing = 1,",
        "max_missing = 1, round = 'down',",
        "tiny.toml: proration.round: unknown field",
    ),
    (
        "subscale naming an unknown item",
        'items = ["t_1", "t_2"]',
        'items = ["t_1", "t_7"]',
        "tiny.toml: subscales[0].items[1]: unknown item 't_7'",
    ),
    (
        "subscale naming an unscored item",
        'items = ["t_1", "t_2"]',
        'items = ["t_1", "t_3"]',
        "tiny.toml: subscales[0].items[1]: 't_3' is not a scored item",
    ),
    (
        "subscale listing an item twice",
        'items = ["t_1", "t_2"]',
        'items = ["t_1", "t_1"]',
        "tiny.toml: subscales[0].items[1]: 't_1' is listed twice",
    ),
    (
        "cutoff at the lowest total",
        "cutoff = 3",
        "cutoff = 0",
        "tiny.toml: cutoff: 0 is outside 1..4",
    ),
    (
        "cutoff above the highest total",
        "cutoff = 3",
        "cutoff = 5",
        "tiny.toml: cutoff: 5 is outside 1..4",
    ),
    (
        "cutoff source without a cutoff",
        "cutoff = 3",
        'cutoff_source = "Somebody 2001"',
        "tiny.toml: cutoff_source: given without a cutoff",
    ),
    (
        "reliable change of zero",
        "reliable_change = 2",
        "reliable_change = 0",
        "tiny.toml: reliable_change: 0 must be above 0",
    ),
    (
        "reliable change beyond the range",
        "reliable_change = 2",
        "reliable_change = 4.5",
        "tiny.toml: reliable_change: 4.5 must be above 0 and at most 4",
    ),
    (
        "respondent not allowed",
        'respondent = "client"',
        'respondent = "parent"',
        "tiny.toml: respondent: 'parent' is not allowed (use 'client' or 'therapist')",
    ),
    (
        "direction not allowed",
        'higher_is = "worse"',
        'higher_is = "higher"',
        "tiny.toml: higher_is: 'higher' is not allowed",
    ),
    (
        "loinc code with a wrong check digit",
        "minutes = 1\n",
        'minutes = 1\nloinc_panel = "44249-2"\n',
        "tiny.toml: loinc_panel: '44249-2' has a wrong check digit",
    ),
    (
        "loinc answer code that is not one",
        '{ value = 0, label = "Never" }',
        '{ value = 0, label = "Never", loinc = "6568-5" }',
        "tiny.toml: scales.freq.options[0].loinc: '6568-5' is not a LOINC code",
    ),
    (
        "code not matching the file name",
        'code = "tiny"',
        'code = "small"',
        "tiny.toml: code: 'small' must match the file name (small.toml)",
    ),
    (
        "code with capitals",
        'code = "tiny"',
        'code = "Tiny"',
        "tiny.toml: code: 'Tiny' may only use a-z",
    ),
    (
        "follow-up that is always asked",
        'text = "Second"\n',
        'text = "Second"\nenable_when = { item = "t_1", at_least = 1 }\n',
        "tiny.toml: items[1].enable_when: only an optional, unscored item can be a follow-up",
    ),
    (
        "follow-up of a later item",
        'text = "Third"\n',
        'text = "Third"\nenable_when = { item = "t_4", at_least = 1 }\n',
        "tiny.toml: items[2].enable_when.item: 't_4' is not an item before this one",
    ),
    (
        "follow-up asked always",
        'text = "Third"\n',
        'text = "Third"\nenable_when = { item = "t_1", at_least = 0 }\n',
        "tiny.toml: items[2].enable_when.at_least: 0 must be above 0 and at most 2",
    ),
]


def test_a_follow_up_names_the_earlier_item_that_it_follows(tmp_path: Path) -> None:
    write(
        tmp_path,
        edited(
            'text = "Third"\n', 'text = "Third"\nenable_when = { item = "t_2", at_least = 2 }\n'
        ),
    )
    follow_up = load_instruments([tmp_path])["tiny"].item("t_3")
    assert follow_up.enable_when == Condition("t_2", 2)


@pytest.mark.parametrize("prefix", ["ac", "at"])
def test_the_repair_question_is_asked_only_after_some_tension(prefix: str) -> None:
    code = {"ac": "alliance_client", "at": "alliance_therapist"}[prefix]
    repair = shipped_instruments()[code].item(f"{prefix}_repair")
    assert repair.enable_when == Condition(f"{prefix}_tension", 1)
    # The engine ignores a repair answer stored without tension by the same rule.
    assert REPAIR_ASKED_FROM_TENSION == 1


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [pytest.param(old, new, message, id=what) for what, old, new, message in BROKEN],
)
def test_it_refuses_a_broken_definition_naming_file_and_field(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    write(tmp_path, edited(old, new))
    with pytest.raises(InstrumentError) as refused:
        load_instruments([tmp_path])
    assert str(refused.value).startswith(message)


def test_it_refuses_proration_over_items_on_different_ranges(tmp_path: Path) -> None:
    text = edited('text = "Second"\nscale = "freq"', 'text = "Second"\nscale = "wide"')
    text = text.replace("max = 4", "max = 5").replace(
        "[[items]]",
        '[scales.wide]\noptions = [{ value = 0, label = "No" }, { value = 3, label = "Yes" }]'
        "\n\n[[items]]",
        1,
    )
    write(tmp_path, text)
    with pytest.raises(InstrumentError, match=r"^tiny\.toml: proration: needs every scored item"):
        load_instruments([tmp_path])


def test_it_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "tiny.toml").write_bytes(
        TINY.replace("Tiny test", "Tiny t\xe9st").encode("latin-1")
    )
    with pytest.raises(InstrumentError, match=r"^tiny\.toml: not UTF-8 text"):
        load_instruments([tmp_path])


def test_it_refuses_a_list_where_tables_belong(tmp_path: Path) -> None:
    write(tmp_path, edited("minutes = 1\n", "minutes = 1\nflags = [1]\n").split("[[flags]]")[0])
    with pytest.raises(InstrumentError, match=r"^tiny\.toml: flags\[0\]: expected a table"):
        load_instruments([tmp_path])


def test_it_refuses_a_code_defined_in_two_directories_naming_both_files(tmp_path: Path) -> None:
    first = write(tmp_path / "first", TINY)
    second = write(tmp_path / "second", TINY)
    with pytest.raises(InstrumentError) as refused:
        load_instruments([tmp_path / "first", tmp_path / "second"])
    assert str(refused.value) == f"{second}: code: 'tiny' is already defined in {first}"


def test_it_refuses_a_practice_file_that_redefines_a_shipped_instrument(tmp_path: Path) -> None:
    shutil.copy(SHIPPED_DIR / "phq9.toml", tmp_path / "phq9.toml")
    with pytest.raises(InstrumentError) as refused:
        load_instruments([tmp_path])
    message = str(refused.value)
    assert str(tmp_path / "phq9.toml") in message
    assert str(SHIPPED_DIR / "phq9.toml") in message


def test_it_refuses_a_directory_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError, match="not a directory"):
        load_instruments([tmp_path / "nowhere"])


def test_it_loads_the_shipped_instruments_first_then_a_practice_directory(tmp_path: Path) -> None:
    write(tmp_path, TINY)
    (tmp_path / "README.txt").write_text("not a definition")
    instruments = load_instruments([tmp_path])
    assert list(instruments) == [*shipped_instruments(), "tiny"]


def example_from_the_docs() -> tuple[str, str]:
    found = re.search(r"<!-- example: (\S+) -->\n```toml\n(.*?)```", DOCS.read_text(), re.DOTALL)
    assert found, "docs/instruments.md should hold the worked example"
    return found.group(1), found.group(2)


def test_the_made_up_example_in_the_docs_loads_and_scores_as_the_docs_say(tmp_path: Path) -> None:
    name, text = example_from_the_docs()
    write(tmp_path, text, name)
    weather = load_instruments([tmp_path])["session_weather"]
    assert weather.validated is False
    result = score(weather, {"sw_calm": 3, "sw_clear": 2, "sw_storm": 4})
    assert result.total == 5
    assert result.band == "Changeable"
    assert caseness(weather, result.total) is False
    assert result.flags == {"overwhelmed"}
    assert result.subscales == {"settled": 5}


def test_the_shipped_instruments_are_the_five_we_may_ship() -> None:
    assert sorted(shipped_instruments()) == [
        "alliance_client",
        "alliance_therapist",
        "gad7",
        "phq9",
        "rses",
    ]


def test_shipped_instruments_are_loaded_once() -> None:
    assert shipped_instruments() is shipped_instruments()


def test_phq9_is_defined_as_published() -> None:
    phq9 = shipped_instruments()["phq9"]
    assert [item.id for item in phq9.scored_items] == [f"phq9_{n}" for n in range(1, 10)]
    difficulty = phq9.item("phq9_difficulty")
    assert (difficulty.scored, difficulty.required, difficulty.loinc) == (False, False, "69722-7")
    assert [option.label for option in difficulty.scale.options] == [
        "Not difficult at all",
        "Somewhat difficult",
        "Very difficult",
        "Extremely difficult",
    ]
    assert (phq9.min_total, phq9.max_total, phq9.cutoff, phq9.reliable_change) == (0, 27, 10, 6)
    assert [(band.min, band.max, band.label) for band in phq9.bands] == [
        (0, 4, "Minimal"),
        (5, 9, "Mild"),
        (10, 14, "Moderate"),
        (15, 19, "Moderately severe"),
        (20, 27, "Severe"),
    ]
    assert phq9.proration is not None
    assert (phq9.proration.max_missing, phq9.proration.never_missing) == (2, ("phq9_9",))
    assert [(flag.code, flag.item, flag.at_least) for flag in phq9.flags] == [("risk", "phq9_9", 1)]
    assert phq9.licence.startswith("PHQ-9 © Pfizer Inc. No permission required")


def test_phq9_and_gad7_carry_their_loinc_codes() -> None:
    phq9, gad7 = shipped_instruments()["phq9"], shipped_instruments()["gad7"]
    assert (phq9.loinc_panel, phq9.loinc_total) == ("44249-1", "44261-6")
    assert [item.loinc for item in phq9.scored_items] == [
        "44250-9", "44255-8", "44259-0", "44254-1", "44251-7",
        "44258-2", "44252-5", "44253-3", "44260-8",
    ]  # fmt: skip
    assert (gad7.loinc_panel, gad7.loinc_total) == ("69737-5", "70274-6")
    assert [item.loinc for item in gad7.items] == [
        "69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7",
    ]  # fmt: skip
    for instrument in (phq9, gad7):
        answers = [
            (o.value, o.label, o.loinc)
            for o in instrument.item(f"{instrument.code}_1").scale.options
        ]
        assert answers == [
            (0, "Not at all", "LA6568-5"),
            (1, "Several days", "LA6569-3"),
            (2, "More than half the days", "LA6570-1"),
            (3, "Nearly every day", "LA6571-9"),
        ]


def test_gad7_has_spitzer_bands_nhs_caseness_and_no_proration() -> None:
    gad7 = shipped_instruments()["gad7"]
    assert [(band.min, band.max) for band in gad7.bands] == [(0, 4), (5, 9), (10, 14), (15, 21)]
    assert (gad7.cutoff, gad7.reliable_change, gad7.proration) == (8, 4, None)


def test_rses_reverse_keys_by_item_id_and_has_no_invented_figures() -> None:
    rses = shipped_instruments()["rses"]
    assert [item.id for item in rses.items] == [f"rses_{n}" for n in range(1, 11)]
    assert {item.id for item in rses.items if item.reverse} == {
        "rses_2", "rses_5", "rses_6", "rses_8", "rses_9",
    }  # fmt: skip
    assert (rses.higher_is, rses.min_total, rses.max_total) == ("better", 0, 30)
    assert (rses.bands, rses.cutoff, rses.reliable_change) == ((), None, None)
    assert rses.licence == "Public domain (Rosenberg 1965)."


@pytest.mark.parametrize(
    ("code", "prefix"), [("alliance_client", "ac"), ("alliance_therapist", "at")]
)
def test_the_alliance_check_ins_are_labelled_as_our_own(code: str, prefix: str) -> None:
    check_in = shipped_instruments()[code]
    assert check_in.validated is False
    assert "not a validated instrument" in check_in.licence
    names = ["heard", "understood", "respected", "safe", "goals", "approach", "overall"]
    assert [item.id for item in check_in.scored_items] == [f"{prefix}_{name}" for name in names]
    tension, repair = check_in.item(f"{prefix}_tension"), check_in.item(f"{prefix}_repair")
    assert (tension.scored, tension.required) == (False, True)
    assert (repair.scored, repair.required) == (False, False)
    assert [(subscale.code, len(subscale.items)) for subscale in check_in.subscales] == [
        ("bond", 4),
        ("goals", 1),
        ("approach", 1),
        ("overall", 1),
    ]
    assert (check_in.min_total, check_in.max_total, check_in.bands) == (7, 35, ())


def test_load_instrument_reads_one_shipped_file() -> None:
    assert load_instrument(SHIPPED_DIR / "gad7.toml") == shipped_instruments()["gad7"]
