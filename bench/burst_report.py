"""The report of ``burst_bench`` (B7): how fast and how evenly a burst of requests was dialed."""

from __future__ import annotations

import argparse
import os
from collections import Counter
from itertools import pairwise
from typing import Any

from load import Record
from percentile import percentile
from readouts import status_of, verdict
from results import record as record_result
from worker_rig import Rig

TARGET_S = 105.0
TWILIO_CPS = 1.0  # the account's limit the run must never exceed (Twilio's default)
LIVE = {"queued", "started", "scheduled", "deferred"}
OPEN = {"waiting", "offered"}


def max_in_window(times: list[float], width: float = 1.0) -> int:
    """The most of ``times`` inside any half-open window [t, t + width)."""
    times, best, lo = sorted(times), 0, 0
    for hi, t in enumerate(times):
        while times[lo] <= t - width:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def job_states(rig: Rig, request_ids: list[str]) -> dict[str, str]:
    """request id -> the status of its live dispatch job(s) in Redis, or 'none'."""
    from rq.job import Job
    from rq.serializers import JSONSerializer

    redis = rig.services.redis
    ids = [k.decode() for k in redis.scan_iter("rq:job:dispatch-*", count=1000)]
    jobs = Job.fetch_many(
        [i.removeprefix("rq:job:") for i in ids], connection=redis, serializer=JSONSerializer
    )
    states: dict[str, str] = {}
    for job in jobs:
        if job is None:
            continue
        rid = job.kwargs.get("request_id", "")
        status = status_of(job)
        if rid in request_ids and (rid not in states or status in LIVE):
            states[rid] = status
    return states


def report(
    args: argparse.Namespace,
    rig: Rig,
    t0: float,
    completed: set[str],
    placed: dict[str, list[dict[str, Any]]],
    twilio: list[dict[str, Any]],
    offers: dict[str, tuple[str, str, str]],
    by_sid: dict[str, tuple[str, str]],
    record: Record,
    cpu: float,
) -> int:
    calls = [r for r in twilio if r["kind"] == "call"]
    accepted = sorted(r["t"] for r in calls if r["status"] == 201)
    attempts = sorted(r["t"] for r in calls)
    refused = [r for r in calls if r["status"] == 429]
    first = {sid: reqs[0]["t"] - t0 for sid, reqs in placed.items()}
    dialed = [first[sid] for sid in completed if sid in first]
    gaps = [b - a for a, b in pairwise(accepted)]
    all_gaps = [b - a for a, b in pairwise(attempts)]
    per_request = Counter(offers[r["offer"]][0] for r in calls if r["offer"] in offers)
    offer_status = Counter(status for _rid, _sid, status in offers.values())
    rung = Counter(r["to"] for r in calls if r["status"] == 201)

    print()
    print(f"{'seconds after the burst':<34}{'n':>6}{'p1':>9}{'p50':>9}{'p99':>9}{'max':>9}")
    for name, values in (
        ("request first dialed", dialed),
        ("gap between accepted calls", gaps),
        ("gap between all call attempts", all_gaps),
    ):
        v = sorted(values)
        if v:
            cells = [percentile(v, q) for q in (1, 50, 99)] + [v[-1]]
            print(f"{name:<34}{len(v):>6}" + "".join(f"{c:>9.3f}" for c in cells))
    limit = 1 / TWILIO_CPS
    short = [g for g in all_gaps if g < limit]
    print(
        f"  call attempts: {len(calls)} ({len(accepted)} accepted, {len(refused)} refused 429); "
        f"{len(short)} attempt gaps < {limit:g} s, smallest {min(all_gaps, default=0):.4f} s"
    )
    print(
        f"  attempts per request: {dict(sorted(Counter(per_request.values()).items()))}; "
        f"offers by status: {dict(offer_status)}"
    )
    print(
        f"  worker CPU ({args.workers} process trees): {cpu:.1f} s; "
        f"load average {os.getloadavg()[0]:.2f} at end"
    )

    problems: list[str] = []
    missing_rows = [sid for sid in completed if sid not in by_sid]
    if missing_rows:
        problems.append(f"{len(missing_rows)} completed intakes without a request row")
    twice = [sid for sid, reqs in placed.items() if len(reqs) > 1]
    if twice:
        problems.append(f"{len(twice)} requests dialed more than once")
    double_rung = [to for to, k in rung.items() if k > 1]
    if double_rung:
        problems.append(f"{len(double_rung)} supporters rung more than once")
    undialed = [sid for sid in completed if sid not in placed]
    dead: list[str] = []
    if undialed:
        rids = [by_sid[sid][0] for sid in undialed if sid in by_sid]
        states = job_states(rig, rids)
        why = Counter(
            f"request {by_sid[sid][1]}, job {states.get(by_sid[sid][0], 'none')}"
            for sid in undialed
            if sid in by_sid
        )
        print(f"  undialed at the deadline: {len(undialed)}: {dict(why)}")
        # Still waiting or offered: late, and the reconciler would still act; anything else
        # (closed, withdrawn, no row) will never be dialed.
        dead = [sid for sid in undialed if by_sid.get(sid, ("", ""))[1] not in OPEN]
        if dead:
            problems.append(f"{len(dead)} requests undialed and no longer open")
    for kind, count in record.errors.items():
        problems.append(f"{count} x {kind} from Peerline's webhooks")
    logs = "\n".join(c.log() for c in rig.children if c.name in ("worker", "web", "scheduler"))
    failed_jobs = logs.count("exception raised while executing")
    if failed_jobs:
        retryable = logs.count("RetryableCarrierError")
        print(
            f"  worker logs: {failed_jobs} dispatch jobs raised ({retryable} tracebacks name "
            "RetryableCarrierError: a 429, retried by RQ)"
        )
    all_in = max(dialed) if len(dialed) == len(completed) and dialed else float("inf")
    window = max_in_window(accepted)
    window_all = max_in_window(attempts)
    per_s = TWILIO_CPS
    print()
    print(
        f"{verdict(all_in <= TARGET_S)} B7 all {len(completed)} requests dialed in "
        + (f"{all_in:.1f} s" if all_in != float("inf") else f"> {args.deadline:.0f} s")
        + f" (target <= {TARGET_S:.0f} s; {len(dialed)} dialed)"
    )
    print(
        f"{verdict(window <= per_s and not refused)} B7 never above Twilio's {per_s:g} call/s: "
        "at most "
        f"{window} accepted and {window_all} attempted calls in any 1 s window, "
        f"{len(refused)} refused with 429"
    )
    late = len(undialed) - len(dead) if undialed else 0
    print(
        f"{verdict(not problems)} B7 none lost: {len(dialed)}/{len(completed)} requests dialed, "
        f"{len(twice)} dialed twice, {late} still open and waiting on a retry at the deadline"
    )
    record_result(
        "B7",
        f"{len(completed)} requests at once under CPS {per_s:g}: all dialed in",
        all_in,
        "s",
        f"<= {TARGET_S:.0f} s, never above CPS, none lost",
        all_in <= TARGET_S and window <= per_s and not refused and not problems,
        floor=f"{len(completed) / per_s:.0f} s at exactly CPS",
        detail=f"max {window} calls in 1 s; {len(refused)} refused; {len(twice)} twice",
    )
    if problems:
        print("BROKEN " + "; ".join(problems))
        return 1
    return 0
