"""CSV as the console exports it: cells a spreadsheet won't run as formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence


def safe_cell(cell: str) -> str:
    """A cell a spreadsheet won't run as a formula."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def csv_text(rows: Iterable[Sequence[str]]) -> str:
    """``rows`` as CSV text, every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
