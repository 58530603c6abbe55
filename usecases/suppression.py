"""Small-cell suppression for every count a report shows. Pure: no I/O, no storage.

Rules (docs/reports.md):

1. **Primary.** A count from 1 to ``threshold - 1`` (default 5) is shown as ``"<5"``. A zero
   is shown as ``0``: nobody is in it, so it points at no one (CMS's cell-size rule).
2. **Complementary.** Every row and column whose total is shown is audited as an equation
   ``cells = total``: a hidden count the others pin to one value (by subtraction, or
   because its neighbours' bounds leave it no room) is not hidden at all. While a line has
   such a count, the smallest shown non-zero count of the line is hidden too, as ``"*"``
   (never ``"<5"``, which would be untrue), or, when nothing is left to hide, the line's
   total. Hiding a count changes its column as well, so lines are audited until none
   changes. An attacker is credited with the bounds the display itself gives away: a
   ``"<5"`` count is 1 to 4, a ``"*"`` count is at least 5 and at most the table's total.
   Each line is audited on its own; several equations solved together are not modelled.
3. **No report crosses role with organization**: ``cross`` refuses that pair of dimensions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

DEFAULT_THRESHOLD = 5
NEVER_CROSSED = frozenset({"role", "organization"})


class Hidden(StrEnum):
    SMALL = "small"  # below the threshold: "<5"
    COMPLEMENT = "complement"  # hidden so a small count can't be recovered: "*"


@dataclass(frozen=True)
class Cell:
    """A count as a report shows it: ``value`` is None whenever the count is hidden."""

    value: int | None
    shown: str
    hidden: Hidden | None = None


@dataclass(frozen=True)
class Suppressed:
    """A table of counts after suppression; margins are empty when not published."""

    cells: tuple[tuple[Cell, ...], ...]
    row_totals: tuple[Cell, ...]
    column_totals: tuple[Cell, ...]
    total: Cell | None


class CrossingRefused(ValueError):
    """A report asked to cross two dimensions that must never meet (role x organization)."""


def cross(rows: str, columns: str) -> tuple[str, str]:
    """The two dimensions of a table, or CrossingRefused for role x organization."""
    if {rows, columns} == NEVER_CROSSED:
        raise CrossingRefused("no report crosses role with organization")
    return rows, columns


def shown(value: int, threshold: int = DEFAULT_THRESHOLD) -> Cell:
    """One count on its own (nothing to subtract it from)."""
    if 0 < value < threshold:
        return Cell(None, f"<{threshold}", Hidden.SMALL)
    return Cell(value, str(value))


def series(counts: Sequence[int], threshold: int = DEFAULT_THRESHOLD) -> Suppressed:
    """One row of counts with its total (e.g. requests by week)."""
    return suppress([list(counts)], threshold, column_totals=False)


Pos = tuple[int, int]


def suppress(
    counts: Sequence[Sequence[int]],
    threshold: int = DEFAULT_THRESHOLD,
    *,
    row_totals: bool = True,
    column_totals: bool = True,
) -> Suppressed:
    """``counts`` (rows of equal length, none negative) with the rules above applied.

    Margins: row totals sit in column ``C``, column totals in row ``R``, the grand total at
    ``(R, C)`` (published only when both margins are).
    """
    if threshold < 1:
        raise ValueError("the threshold must be 1 or more")
    n_rows, n_cols = len(counts), len(counts[0]) if counts else 0
    if any(len(row) != n_cols for row in counts) or any(v < 0 for row in counts for v in row):
        raise ValueError("counts must be rows of equal length, none negative")
    value: dict[Pos, int] = {(i, j): counts[i][j] for i in range(n_rows) for j in range(n_cols)}
    lines: list[tuple[list[Pos], Pos]] = []
    if row_totals:
        for i in range(n_rows):
            value[i, n_cols] = sum(counts[i])
            lines.append(([(i, j) for j in range(n_cols)], (i, n_cols)))
    if column_totals:
        for j in range(n_cols):
            value[n_rows, j] = sum(row[j] for row in counts)
            lines.append(([(i, j) for i in range(n_rows)], (n_rows, j)))
    if row_totals and column_totals:
        value[n_rows, n_cols] = sum(map(sum, counts))
        lines.append(([(n_rows, j) for j in range(n_cols)], (n_rows, n_cols)))
        lines.append(([(i, n_cols) for i in range(n_rows)], (n_rows, n_cols)))
    hidden = {p: Hidden.SMALL for p, v in value.items() if 0 < v < threshold}
    audit = _Audit(value, hidden, threshold, sum(map(sum, counts)))
    changed = True
    while changed:
        changed = False
        for parts, total in lines:
            while audit.pinned(parts, total):
                pick = audit.next_to_hide(parts, total)
                if pick is None:
                    break
                hidden[pick] = Hidden.COMPLEMENT
                changed = True

    def cell(p: Pos) -> Cell:
        kind = hidden.get(p)
        if kind is Hidden.SMALL:
            return Cell(None, f"<{threshold}", kind)
        if kind is Hidden.COMPLEMENT:
            return Cell(None, "*", kind)
        return Cell(value[p], str(value[p]))

    return Suppressed(
        cells=tuple(tuple(cell((i, j)) for j in range(n_cols)) for i in range(n_rows)),
        row_totals=tuple(cell((i, n_cols)) for i in range(n_rows)) if row_totals else (),
        column_totals=tuple(cell((n_rows, j)) for j in range(n_cols)) if column_totals else (),
        total=cell((n_rows, n_cols)) if row_totals and column_totals else None,
    )


class _Audit:
    """What one line's equation gives away about its hidden counts."""

    def __init__(
        self, value: dict[Pos, int], hidden: dict[Pos, Hidden], threshold: int, grand: int
    ) -> None:
        self.value, self.hidden, self.threshold, self.grand = value, hidden, threshold, grand

    def bounds(self, p: Pos) -> tuple[int, int]:
        if self.hidden[p] is Hidden.SMALL:
            return 1, self.threshold - 1
        return self.threshold, max(self.threshold, self.grand)

    def pinned(self, parts: list[Pos], total: Pos) -> bool:
        """Whether some hidden count of ``parts = total`` is fixed to one value."""
        terms = [(p, 1) for p in parts] + [(total, -1)]
        unknown = [(p, a) for p, a in terms if p in self.hidden]
        if not unknown:
            return False
        if len(unknown) == 1:
            return True
        known = -sum(a * self.value[p] for p, a in terms if p not in self.hidden)
        lows = [a * self.bounds(p)[0 if a > 0 else 1] for p, a in unknown]
        highs = [a * self.bounds(p)[1 if a > 0 else 0] for p, a in unknown]
        low_sum, high_sum = sum(lows), sum(highs)
        for k, (p, a) in enumerate(unknown):
            rest_low, rest_high = low_sum - lows[k], high_sum - highs[k]
            lo, hi = self.bounds(p)
            if a > 0:
                lo, hi = max(lo, known - rest_high), min(hi, known - rest_low)
            else:
                lo, hi = max(lo, rest_low - known), min(hi, rest_high - known)
            if lo >= hi:
                return True
        return False

    def next_to_hide(self, parts: list[Pos], total: Pos) -> Pos | None:
        """The smallest shown non-zero count of the line, else its total, else None."""
        shown_parts = [p for p in parts if p not in self.hidden and self.value[p] > 0]
        if shown_parts:
            return min(shown_parts, key=lambda p: (self.value[p], p))
        if total not in self.hidden and self.value[total] > 0:
            return total
        return None
