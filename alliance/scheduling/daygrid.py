"""A day as a table: time rows down the side, a column per person, appointments as cells.

Everything is in whole minutes after local midnight (the wall clock the desk reads). Rows are
`step` minutes long; an appointment is widened to the rows it touches, and appointments that
overlap in one column (a cancelled one and the booking that took its place) share one cell, so
the result is a plain table with row spans: no positioning, and it reads in order without styles.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

DAY_MINUTES = 24 * 60


class CellKind(StrEnum):
    BUSY = "busy"  # one or more appointments
    FREE = "free"  # inside working hours and nothing holds it: bookable
    CLOSED = "closed"  # outside working hours, past, or kept free after an appointment


@dataclass(frozen=True, slots=True)
class Block:
    """An appointment: shown from `start` to `end`; `held_until` (its end plus the buffer kept
    after it) is what it keeps from being booked, unless it is cancelled (`holds_time` false)."""

    key: int  # the caller's own index, handed back in the cell
    start: int
    end: int
    held_until: int
    holds_time: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= self.held_until:
            raise ValueError(
                f"a block needs 0 <= start < end <= held_until, got "
                f"{self.start}, {self.end}, {self.held_until}"
            )


@dataclass(frozen=True, slots=True)
class Column:
    blocks: Sequence[Block]
    open: Sequence[tuple[int, int]]  # bookable working minutes, [start, end)


@dataclass(frozen=True, slots=True)
class Cell:
    kind: CellKind
    start: int  # the minute of its first row
    rows: int  # how many rows it spans
    keys: tuple[int, ...] = ()  # its blocks' keys, by start


@dataclass(frozen=True, slots=True)
class Row:
    minute: int
    cells: tuple[Cell | None, ...]  # one per column; None where a cell above spans this row


def _floor(minute: int, step: int) -> int:
    return minute // step * step


def _ceil(minute: int, step: int) -> int:
    return -(-minute // step) * step


def _clusters(blocks: Sequence[Block], step: int) -> list[tuple[int, int, tuple[int, ...]]]:
    """Blocks widened to whole rows, those that overlap merged: (first minute, end, keys)."""
    spans = []
    for block in blocks:
        first = _floor(block.start, step)
        spans.append((first, max(_ceil(block.end, step), first + step), block.start, block.key))
    spans.sort()
    merged: list[tuple[int, int, list[tuple[int, int]]]] = []
    for start, end, exact, key in spans:
        if merged and start < merged[-1][1]:
            first, last, keys = merged[-1]
            merged[-1] = (first, max(last, end), [*keys, (exact, key)])
        else:
            merged.append((start, end, [(exact, key)]))
    return [(first, last, tuple(key for _, key in sorted(keys))) for first, last, keys in merged]


def _bookable(column: Column, start: int, end: int) -> bool:
    inside = any(low <= start and end <= high for low, high in column.open)
    held = any(
        block.holds_time and block.start < end and start < block.held_until
        for block in column.blocks
    )
    return inside and not held


def day_grid(
    columns: Sequence[Column], *, step: int = 30, earliest: int = 9 * 60, latest: int = 17 * 60
) -> list[Row]:
    """The rows of the day's table. It spans `earliest` to `latest` at least, and widens to whole
    hours to take in every working hour and appointment."""
    if step <= 0 or 60 % step:
        raise ValueError(f"the step must divide an hour into whole rows, got {step}")
    starts = [earliest] + [low for c in columns for low, _ in c.open]
    ends = [latest] + [high for c in columns for _, high in c.open]
    starts += [block.start for c in columns for block in c.blocks]
    ends += [block.end for c in columns for block in c.blocks]
    first = max(0, _floor(min(starts), 60))
    last = min(DAY_MINUTES, _ceil(max(ends), 60))
    grid: list[list[Cell | None]] = [[] for _ in range(first, last, step)]
    for column in columns:
        cells: dict[int, Cell | None] = {}
        for start, end, keys in _clusters(column.blocks, step):
            cells[start] = Cell(CellKind.BUSY, start, (end - start) // step, keys)
            for covered in range(start + step, end, step):
                cells[covered] = None
        for index, minute in enumerate(range(first, last, step)):
            if minute in cells:
                grid[index].append(cells[minute])
            elif _bookable(column, minute, minute + step):
                grid[index].append(Cell(CellKind.FREE, minute, 1))
            else:
                grid[index].append(Cell(CellKind.CLOSED, minute, 1))
    return [
        Row(minute, tuple(cells))
        for minute, cells in zip(range(first, last, step), grid, strict=True)
    ]


def open_minutes(
    hours: Sequence[tuple[int, int]], closed: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Working minutes with the closed ones (time off, what has already passed) cut out: sorted,
    merged [start, end) stretches."""
    stretches: list[tuple[int, int]] = []
    for low, high in sorted(hours):
        if stretches and low <= stretches[-1][1]:
            stretches[-1] = (stretches[-1][0], max(stretches[-1][1], high))
        else:
            stretches.append((low, high))
    for cut_low, cut_high in closed:
        kept: list[tuple[int, int]] = []
        for low, high in stretches:
            if low < cut_low:
                kept.append((low, min(high, cut_low)))
            if cut_high < high:
                kept.append((max(low, cut_high), high))
        stretches = kept
    return stretches


def clock_label(minute: int) -> str:
    """A row's time as the desk reads it, e.g. "9:30 AM"."""
    hour, rest = divmod(minute % DAY_MINUTES, 60)
    return f"{hour % 12 or 12}:{rest:02d} {'AM' if hour < 12 else 'PM'}"
