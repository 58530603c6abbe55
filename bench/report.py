"""``make bench``: run every benchmark, print one table, write bench/results/latest.json.

Run ``python bench/report.py [--quick] [--only B4,B6]``. Each benchmark runs as its own
process with ``PEERLINE_BENCH_RESULTS`` pointing at a scratch file, where it records one
line per target (``bench/results.py``): id, measure, figure, the floor the same run
measured, target and PASS/MISS. Each benchmark's full output goes to
bench/results/<name>.log. ``--quick`` (``make bench QUICK=1``) runs shorter phases and
fewer calls, in under 3 minutes on a quiet 2-core machine; its figures are noisier.

A MISS is reported, not failed: the exit status is 1 only when a benchmark broke (exit
status other than 0: an exception, a lost or duplicated request).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"

# (script, ids it reports, full arguments, quick arguments)
BENCHES: list[tuple[str, str, list[str], list[str]]] = [
    ("webhook_bench.py", "B1,B2,B10", [], ["--open-seconds", "4", "--closed-seconds", "3"]),
    ("enqueue_bench.py", "B3", [], ["--n", "2000"]),
    ("worker_bench.py", "B4", [], ["--jobs", "150"]),
    ("matching_bench.py", "B5", [], ["--runs", "60"]),
    ("dispatch_bench.py", "B6", [], ["--calls", "60", "--kinds", "shipped"]),
    ("b11_bench.py", "B11", [], ["--calls", "20"]),
    ("burst_bench.py", "B7", [], ["--requests", "10", "--deadline", "30"]),
    ("recovery_bench.py", "B9,B10", [], ["--calls", "20", "--trials", "2", "--configs", "shipped"]),
    ("memory_bench.py", "B12", [], ["--intakes", "200", "--warmup", "30", "--checkpoints", "2"]),
]
VERSIONS = ("starlette", "uvicorn", "sqlalchemy", "psycopg", "redis", "rq", "twilio")


def machine() -> dict[str, Any]:
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "-"

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=BENCH
    ).stdout.strip()
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": {name: version(name) for name in VERSIONS},
        "load_average_before": round(os.getloadavg()[0], 2),
    }


def run(script: str, args: list[str], scratch: Path) -> tuple[int, float]:
    env = {**os.environ, "PEERLINE_BENCH_RESULTS": str(scratch), "PYTHONUNBUFFERED": "1"}
    log = RESULTS / (Path(script).stem + ".log")
    started = time.monotonic()
    with log.open("w") as out:
        status = subprocess.call(
            [sys.executable, str(BENCH / script), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=BENCH.parent,
        )
    return status, time.monotonic() - started


def table(rows: list[dict[str, Any]]) -> str:
    head = ("id", "measure", "figure", "floor (same run)", "target", "")
    cells = [head]
    for r in rows:
        figure = "-" if r["figure"] is None else f"{r['figure']:,.4g} {r['unit']}".strip()
        cells.append((r["id"], r["measure"], figure, r["floor"] or "-", r["target"], r["verdict"]))
    widths = [max(len(str(c[i])) for c in cells) for i in range(len(head))]
    lines = [" | ".join(str(c[i]).ljust(widths[i]) for i in range(len(head))) for c in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (< 3 min)")
    parser.add_argument("--only", default="", help="run the benches reporting these ids")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    wanted = {i.strip() for i in args.only.split(",") if i.strip()}
    info = machine()
    rows: list[dict[str, Any]] = []
    runs: list[dict[str, Any]] = []
    started = time.monotonic()
    for script, ids, full, quick in BENCHES:
        if wanted and not wanted & set(ids.split(",")):
            continue
        with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as scratch:
            print(f"== {script} ({ids})", flush=True)
            status, seconds = run(script, quick if args.quick else full, Path(scratch.name))
            recorded = [json.loads(line) for line in scratch.read().splitlines() if line]
        rows += recorded
        runs.append({"bench": script, "status": status, "seconds": round(seconds, 1)})
        if status != 0 or not recorded:
            rows.append(
                {
                    "id": ids,
                    "measure": f"{script} exited {status}, see bench/results/"
                    f"{Path(script).stem}.log",
                    "figure": None,
                    "unit": "",
                    "floor": "",
                    "target": "",
                    "verdict": "BROKEN",
                    "detail": "",
                }
            )
    info["load_average_after"] = round(os.getloadavg()[0], 2)
    info["seconds"] = round(time.monotonic() - started, 1)
    info["quick"] = args.quick
    print()
    print(
        f"{info['cpus']} cores, Python {info['python']}, commit {info['commit']}, load average "
        f"{info['load_average_before']} -> {info['load_average_after']}, {info['seconds']:.0f} s"
        + (" (quick)" if args.quick else "")
    )
    print(table(rows))
    out = RESULTS / "latest.json"
    out.write_text(json.dumps({"machine": info, "runs": runs, "results": rows}, indent=2) + "\n")
    print(f"\nwritten {out.relative_to(BENCH.parent)}; each bench's output in bench/results/*.log")
    return 1 if any(r["status"] != 0 for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
