"""Statistics and the latency table of ``webhook_bench``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from percentile import percentile

if TYPE_CHECKING:
    from load import Record

PERCENTILES = (50, 95, 99)


# -- statistics and the table -------------------------------------------------------------
@dataclass
class Line:
    name: str
    count: int
    rate: float
    ms: list[float]  # sorted
    errors: int
    server_cpu: float | None = None
    client_cpu: float | None = None

    def p(self, q: float) -> float:
        return percentile(self.ms, q)

    def render(self) -> str:
        cells = [f"{self.p(q):8.1f}" for q in PERCENTILES] + [f"{self.ms[-1]:8.1f}"]
        cpu = ""
        if self.server_cpu is not None and self.client_cpu is not None:
            cpu = f"{self.server_cpu:>6.0%}{self.client_cpu:>6.0%}"
        head = f"{self.name:<30}{self.count:>7,}{self.rate:>8.1f}"
        return f"{head}{''.join(cells)}{self.errors:>5}{cpu}"


HEADER = (
    f"{'phase (latency in ms)':<30}{'reqs':>7}{'req/s':>8}"
    + "".join(f"{'p' + str(q):>8}" for q in PERCENTILES)
    + f"{'max':>8}{'err':>5}{'srv':>6}{'gen':>6}"
)


def lines_for(
    name: str,
    record: Record,
    window: tuple[float, float] | None = None,
    by_label: bool = False,
) -> list[Line]:
    samples = record.samples
    if window is not None:
        samples = [s for s in samples if window[0] <= s[2] < window[1]]
        span = window[1] - window[0]
    else:
        span = max(s[2] for s in samples) - min(s[1] for s in samples)
    ms = sorted((end - start) * 1000 for _l, start, end, _ok in samples)
    errors = sum(1 for s in samples if not s[3])
    out = [Line(name, len(samples), len(samples) / span, ms, errors)]
    if by_label:
        grouped: dict[str, list[float]] = defaultdict(list)
        for label, start, end, _ok in samples:
            grouped[label].append((end - start) * 1000)
        for label in ("start", "gather", "gather+request", "hold", "status"):
            if label in grouped:
                values = sorted(grouped[label])
                out.append(Line(f"  {label}", len(values), len(values) / span, values, 0))
    return out


def worst_seconds(record: Record, target_ms: float) -> str:
    """Open loop: p99 of the worst 1-s slice (by send time), and slices over the target."""
    t_first = min(s[1] for s in record.samples)
    slices: dict[int, list[float]] = defaultdict(list)
    for _label, start, end, _ok in record.samples:
        slices[int(start - t_first)].append((end - start) * 1000)
    p99s = {t: percentile(sorted(v), 99) for t, v in slices.items()}
    worst = max(p99s, key=lambda t: p99s[t])
    over = sum(1 for v in p99s.values() if v > target_ms)
    return (
        f"worst 1-s slice p99 {p99s[worst]:.1f} ms (second {worst}); "
        f"{over} of {len(p99s)} seconds over {target_ms:.0f} ms"
    )
