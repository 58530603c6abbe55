from __future__ import annotations

from itertools import product

import pytest

from usecases.suppression import (
    CrossingRefused,
    Hidden,
    Suppressed,
    cross,
    series,
    shown,
    suppress,
)


def grid(result: Suppressed) -> list[list[str]]:
    """The table as displayed, margins included (row totals last, column totals below)."""
    rows = [
        [c.shown for c in row] + ([result.row_totals[i].shown] if result.row_totals else [])
        for i, row in enumerate(result.cells)
    ]
    if result.column_totals:
        rows.append(
            [c.shown for c in result.column_totals] + ([result.total.shown] if result.total else [])
        )
    return rows


@pytest.mark.parametrize(
    ("value", "threshold", "expected"),
    [
        (0, 5, "0"),  # nobody: points at no one
        (1, 5, "<5"),
        (4, 5, "<5"),
        (5, 5, "5"),
        (123, 5, "123"),
        (9, 11, "<11"),  # the threshold is a setting
        (1, 1, "1"),  # threshold 1: nothing is small
    ],
)
def test_a_lone_count(value: int, threshold: int, expected: str) -> None:
    assert shown(value, threshold).shown == expected
    assert (shown(value, threshold).value is None) == (expected.startswith("<"))


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # nothing small: every count and the total shown
        ([10, 20, 30], ["10", "20", "30", "60"]),
        # one small count beside a shown total: the next smallest is hidden too
        ([3, 20, 30], ["<5", "*", "30", "53"]),
        # zeros are shown and never serve as the complement (hiding a 0 hides nothing)
        ([3, 0, 30], ["<5", "0", "*", "33"]),
        # two small counts whose sum leaves each free: nothing more to hide
        ([3, 2, 30], ["<5", "<5", "30", "35"]),
        # two 1s: total minus the rest is 2, so each must be 1 — a third count is hidden
        ([1, 1, 30, 40], ["<5", "<5", "*", "40", "72"]),
        # two 4s: 8 = 4 + 4 pins both (a "<5" is at most 4)
        ([4, 4, 30], ["<5", "<5", "*", "38"]),
        # the only non-zero count is small: the total is small too, and equal to it
        ([3, 0, 0], ["<5", "0", "0", "<5"]),
        # all zero
        ([0, 0], ["0", "0", "0"]),
    ],
)
def test_a_series(counts: list[int], expected: list[str]) -> None:
    assert grid(series(counts)) == [expected]


def test_the_complementary_case_in_two_dimensions() -> None:
    # Urgency by language. The 2 could be recovered from its row (7 - 5) and from its
    # column (27 - 25); hiding it alone is not enough.
    result = suppress([[2, 5], [25, 30]])
    assert grid(result) == [
        ["<5", "*", "7"],
        ["*", "*", "55"],
        ["27", "35", "62"],
    ]


def test_complements_spread_until_no_line_gives_a_count_away() -> None:
    counts = [[3, 8, 9], [12, 1, 15], [6, 7, 5]]
    result = suppress(counts)
    _assert_nothing_recoverable(counts, result)
    assert result.cells[0][0].hidden is Hidden.SMALL
    assert result.cells[1][1].hidden is Hidden.SMALL
    assert result.total is not None and result.total.shown == "66"


def test_a_small_margin_is_hidden_and_audited_like_a_cell() -> None:
    result = suppress([[1, 2], [10, 20]])
    assert result.row_totals[0].shown == "<5"  # 1 + 2 = 3
    _assert_nothing_recoverable([[1, 2], [10, 20]], result)


def test_no_hidden_count_is_pinned_by_its_line() -> None:
    """Every 2x2 table of these counts: no row or column gives a hidden count away."""
    for a, b, c, d in product([0, 1, 3, 6], repeat=4):
        table = [[a, b], [c, d]]
        _assert_nothing_recoverable(table, suppress(table))


def _assert_nothing_recoverable(counts: list[list[int]], result: Suppressed) -> None:
    """Brute force over every value the display allows: each hidden count of each line with
    a shown total must have two or more values consistent with that line."""
    assert result.total is not None
    rows = [[*list(result.cells[i]), result.row_totals[i]] for i in range(len(counts))]
    rows.append([*result.column_totals, result.total])
    true = [[*row, sum(row)] for row in counts]
    true.append([sum(c) for c in zip(*true, strict=True)])
    height, width = len(true), len(true[0])
    lines = [[(i, j) for j in range(width)] for i in range(height)]
    lines += [[(i, j) for i in range(height)] for j in range(width)]
    grand = true[-1][-1]
    for line in lines:
        *parts, total = line
        hidden = [p for p in line if rows[p[0]][p[1]].value is None]
        for p in hidden:
            cell = rows[p[0]][p[1]]
            values = range(1, 5) if cell.hidden is Hidden.SMALL else range(5, max(5, grand) + 1)
            others = [q for q in hidden if q != p]
            possible = set()
            for v in values:
                for combo in product(
                    *[
                        range(1, 5)
                        if rows[q[0]][q[1]].hidden is Hidden.SMALL
                        else range(5, max(5, grand) + 1)
                        for q in others
                    ]
                ):
                    guess = {p: v, **dict(zip(others, combo, strict=True))}
                    got = {q: guess.get(q, true[q[0]][q[1]]) for q in line}
                    if sum(got[q] for q in parts) == got[total]:
                        possible.add(v)
                        break
                if len(possible) > 1:
                    break
            assert len(possible) > 1, f"{p} of {counts} is recoverable from {line}"


def test_role_is_never_crossed_with_organization() -> None:
    assert cross("role", "language") == ("role", "language")
    with pytest.raises(CrossingRefused):
        cross("role", "organization")
    with pytest.raises(CrossingRefused):
        cross("organization", "role")


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="threshold"):
        suppress([[1]], 0)
    with pytest.raises(ValueError, match="equal length"):
        suppress([[1, 2], [3]])
    with pytest.raises(ValueError, match="negative"):
        suppress([[-1]])
