"""The day table's layout, worked by hand: rows of 30 minutes unless a test says otherwise."""

import pytest

from alliance.scheduling.daygrid import (
    Block,
    Cell,
    CellKind,
    Column,
    Row,
    clock_label,
    day_grid,
    open_minutes,
)

BUSY, FREE, CLOSED = CellKind.BUSY, CellKind.FREE, CellKind.CLOSED
H = 60


def kinds(rows: list[Row], column: int = 0) -> list[tuple[int, str, int] | None]:
    """Each row's cell in one column as (minute, kind, rows), None where a span covers it."""
    out: list[tuple[int, str, int] | None] = []
    for row in rows:
        cell = row.cells[column]
        out.append(None if cell is None else (row.minute, cell.kind.value, cell.rows))
    return out


def test_an_empty_day_is_nine_to_five_and_closed() -> None:
    rows = day_grid([Column(blocks=[], open=[])])
    assert [row.minute for row in rows] == list(range(9 * H, 17 * H, 30))
    assert {row.cells[0] for row in rows} == {
        Cell(CLOSED, minute, 1) for minute in range(9 * H, 17 * H, 30)
    }


def test_working_hours_are_free_rows_and_an_appointment_spans_its_rows() -> None:
    session = Block(key=7, start=10 * H, end=10 * H + 50, held_until=11 * H)
    rows = day_grid(
        [Column(blocks=[session], open=[(10 * H, 12 * H)])], earliest=10 * H, latest=12 * H
    )
    assert kinds(rows) == [
        (600, "busy", 2),
        None,
        (660, "free", 1),
        (690, "free", 1),
    ]
    assert rows[0].cells[0] == Cell(BUSY, 600, 2, (7,))


def test_the_buffer_after_an_appointment_is_not_offered() -> None:
    # 9:00-9:50, kept free until 10:10: the 10:00 row is held, 10:30 is free.
    session = Block(key=1, start=9 * H, end=9 * H + 50, held_until=10 * H + 10)
    rows = day_grid(
        [Column(blocks=[session], open=[(9 * H, 11 * H)])], earliest=9 * H, latest=11 * H
    )
    assert kinds(rows) == [(540, "busy", 2), None, (600, "closed", 1), (630, "free", 1)]


def test_a_short_appointment_off_the_grid_takes_the_rows_it_touches() -> None:
    # 9:15-9:30 touches the 9:00 row only; 9:20-9:50 touches 9:00 and 9:30.
    quarter = Block(key=1, start=9 * H + 15, end=9 * H + 30, held_until=9 * H + 30)
    rows = day_grid([Column(blocks=[quarter], open=[])], earliest=9 * H, latest=10 * H)
    assert kinds(rows) == [(540, "busy", 1), (570, "closed", 1)]
    later = Block(key=2, start=9 * H + 20, end=9 * H + 50, held_until=9 * H + 50)
    rows = day_grid([Column(blocks=[later], open=[])], earliest=9 * H, latest=10 * H)
    assert kinds(rows) == [(540, "busy", 2), None]


def test_overlapping_appointments_share_one_cell_in_start_order() -> None:
    cancelled = Block(key=1, start=10 * H, end=10 * H + 50, held_until=11 * H, holds_time=False)
    rebooked = Block(key=2, start=10 * H + 30, end=11 * H + 20, held_until=11 * H + 30)
    rows = day_grid(
        [Column(blocks=[rebooked, cancelled], open=[(9 * H, 12 * H)])],
        earliest=9 * H,
        latest=12 * H,
    )
    assert kinds(rows) == [
        (540, "free", 1),
        (570, "free", 1),
        (600, "busy", 3),
        None,
        None,
        (690, "free", 1),
    ]
    assert rows[2].cells[0] == Cell(BUSY, 600, 3, (1, 2))


def test_a_cancelled_appointment_leaves_its_time_free_beside_it() -> None:
    cancelled = Block(key=1, start=9 * H, end=9 * H + 50, held_until=10 * H, holds_time=False)
    rows = day_grid(
        [Column(blocks=[cancelled], open=[(9 * H, 11 * H)])], earliest=9 * H, latest=11 * H
    )
    assert kinds(rows) == [(540, "busy", 2), None, (600, "free", 1), (630, "free", 1)]


def test_a_row_is_free_only_when_working_hours_cover_all_of_it() -> None:
    rows = day_grid(
        [Column(blocks=[], open=[(9 * H + 15, 10 * H + 45)])], earliest=9 * H, latest=11 * H
    )
    assert kinds(rows) == [
        (540, "closed", 1),
        (570, "free", 1),
        (600, "free", 1),
        (630, "closed", 1),
    ]


def test_the_day_widens_to_whole_hours_for_early_and_late_work() -> None:
    early = Block(key=1, start=7 * H + 30, end=8 * H + 20, held_until=8 * H + 30)
    rows = day_grid(
        [Column(blocks=[early], open=[]), Column(blocks=[], open=[(16 * H, 19 * H + 30)])]
    )
    assert rows[0].minute == 7 * H
    assert rows[-1].minute == 19 * H + 30
    assert kinds(rows, 0)[:4] == [(420, "closed", 1), (450, "busy", 2), None, (510, "closed", 1)]
    assert kinds(rows, 1)[-2:] == [(1140, "free", 1), (1170, "closed", 1)]


def test_columns_are_laid_out_side_by_side_row_by_row() -> None:
    tara = Column(blocks=[Block(key=1, start=9 * H, end=10 * H, held_until=10 * H)], open=[])
    theo = Column(blocks=[], open=[(9 * H, 10 * H)])
    rows = day_grid([tara, theo], earliest=9 * H, latest=10 * H)
    assert rows == [
        Row(540, (Cell(BUSY, 540, 2, (1,)), Cell(FREE, 540, 1))),
        Row(570, (None, Cell(FREE, 570, 1))),
    ]


def test_rows_of_a_quarter_hour() -> None:
    consult = Block(key=1, start=9 * H + 15, end=9 * H + 30, held_until=9 * H + 35)
    rows = day_grid(
        [Column(blocks=[consult], open=[(9 * H, 10 * H)])], step=15, earliest=9 * H, latest=10 * H
    )
    assert kinds(rows) == [(540, "free", 1), (555, "busy", 1), (570, "closed", 1), (585, "free", 1)]


def test_bad_input_is_refused_plainly() -> None:
    with pytest.raises(ValueError, match="divide an hour"):
        day_grid([], step=45)
    with pytest.raises(ValueError, match="start < end"):
        Block(key=1, start=10 * H, end=10 * H, held_until=10 * H)


@pytest.mark.parametrize(
    ("minute", "label"),
    [(0, "12:00 AM"), (9 * H + 30, "9:30 AM"), (12 * H, "12:00 PM"), (13 * H + 5, "1:05 PM")],
)
def test_clock_labels(minute: int, label: str) -> None:
    assert clock_label(minute) == label


def test_open_minutes_merge_the_hours_and_cut_out_what_is_closed() -> None:
    # Both formats 9-12, in person again 11-13; a dentist 10:00-10:30; the day past until 12:15.
    hours = [(9 * H, 12 * H), (11 * H, 13 * H), (9 * H, 12 * H)]
    assert open_minutes(hours, []) == [(540, 780)]
    assert open_minutes(hours, [(10 * H, 10 * H + 30)]) == [(540, 600), (630, 780)]
    assert open_minutes(hours, [(10 * H, 10 * H + 30), (0, 12 * H + 15)]) == [(735, 780)]
    assert open_minutes(hours, [(0, 24 * H)]) == []
    assert open_minutes([(9 * H, 10 * H), (14 * H, 15 * H)], [(10 * H, 14 * H)]) == [
        (540, 600),
        (840, 900),
    ]
