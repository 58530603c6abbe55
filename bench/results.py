"""One line per target for ``bench/report.py``: each bench records what it measured.

``record`` appends a JSON line to the file named by ``PEERLINE_BENCH_RESULTS`` (the report
sets it for each bench it runs); run by hand, a bench records nothing and just prints.
"""

from __future__ import annotations

import json
import os


def record(
    bench_id: str,
    measure: str,
    figure: float | None,
    unit: str,
    target: str,
    ok: bool,
    *,
    floor: str = "",
    detail: str = "",
) -> None:
    """``figure`` in ``unit``; ``floor`` is what the same run measured as the physical
    floor (e.g. a PING, a hello-world server), as text with its unit."""
    path = os.environ.get("PEERLINE_BENCH_RESULTS")
    if not path:
        return
    line = {
        "id": bench_id,
        "measure": measure,
        "figure": None if figure is None else round(figure, 3),
        "unit": unit,
        "floor": floor,
        "target": target,
        "verdict": "PASS" if ok else "MISS",
        "detail": detail,
    }
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")
