"""The RQ worker Peerline runs: jobs in the worker process over warm dependencies, a forking
worker's heartbeat, a loop that knows why it stopped, and no job while the database is away.

**No fork per job.** RQ's default ``Worker`` forks a work horse per job, so every job
rebuilt its database engine, Redis connection and Twilio HTTP client, and imported what the
parent had not: 60-250 ms of CPU for a dispatch that needs a fraction of that
(bench/README.md, B4 and B6). ``PeerlineWorker`` runs each job in the worker process
itself, where ``jobs.context`` keeps one set of dependencies for the process's life. What
the fork gave is kept:

- **Death detection.** While a job runs, a thread renews the job's heartbeat every
  ``job_monitoring_interval`` seconds with the forking worker's TTL (interval + 60 s), so
  ``jobs.recovery`` sees exactly what it saw with a work horse: a worker that dies, for any
  reason, stops heartbeating and its job is handed back after ``STALE_AFTER``.
- **Job timeouts.** RQ's death penalty (SIGALRM in this, the main, thread) ends a job that
  overruns its timeout, as it ended a horse's.
- **A crash.** A job that kills the process (segfault, OOM) takes the worker with it; the
  supervisor restarts it and recovery re-runs the job: a killed horse's outcome, a few
  seconds later.

**Why it stopped.** RQ ends its work loop on some Redis errors ("Redis connection timeout,
quitting…", an error in a heartbeat after a job) and on any unexpected exception.
``stopping`` tells a requested stop (SIGTERM, SIGINT) from those, so the caller
(``peerline.processes``) can start the loop again once Redis answers instead of leaving the
queues unworked.

**The database away.** Every job would fail and spend one of its retries; the worker holds
jobs in Redis instead, until the database answers again (probed at most once a second while
it is up, so this costs nothing under load).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from redis.exceptions import RedisError
from rq import SimpleWorker
from rq.executions import Execution
from rq.job import Job, JobStatus
from rq.queue import Queue
from rq.rate_limit import release_slot
from rq.registry import StartedJobRegistry
from rq.utils import now
from rq.worker import WorkerStatus

from ivr.redaction import redact_numbers
from jobs.outages import DATABASE, Backoff, Health, outage_of

PROBE_EVERY = 1.0  # seconds between database probes while it answers
FULL_BEAT_GAP = 1.0  # seconds within which a full worker heartbeat is not repeated


class PeerlineWorker(SimpleWorker):
    def __init__(
        self,
        *args: Any,
        database_probe: Callable[[], object] | None = None,
        health: Health | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.stopping = False
        self._probe = database_probe
        self._health = health or Health("worker")
        self._probed_at = -PROBE_EVERY
        self._full_beat_at: float | None = None

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True
        super().request_stop(signum, frame)  # type: ignore[no-untyped-call]

    def dequeue_job_and_maintain_ttl(
        self, timeout: int | None, max_idle_time: int | None = None
    ) -> Any:
        self._wait_for_database()
        return super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)

    def execute_job(self, job: Job, queue: Queue) -> None:
        execution = self.prepare_execution(job)
        done = threading.Event()
        beat = threading.Thread(
            target=self._heartbeat_while_running,
            args=(job, execution, done),
            name=f"heartbeat-{job.id}",
            daemon=True,
        )
        beat.start()
        try:
            self.perform_job(job, queue, execution)
        finally:
            done.set()
            beat.join()
        self.set_state(WorkerStatus.IDLE)

    def handle_job_failure(
        self,
        job: Job,
        queue: Queue,
        started_job_registry: Any = None,
        exc_string: str = "",
        execution: Execution | None = None,
    ) -> None:
        """RQ keeps a failed job's traceback text in Redis (``rq:results:…``, the failed
        registry): a number in an exception message (a carrier error, a database error's
        parameters) would sit there in plain text. It is stored redacted."""
        super().handle_job_failure(
            job, queue, started_job_registry, redact_numbers(exc_string), execution
        )

    def handle_execution_ended(self, job: Job, queue: Queue, heartbeat_ttl: int) -> None:
        """RQ renews the job's heartbeat here so a success or failure callback has time to
        run; Peerline's jobs have none, and ``_heartbeat_while_running`` keeps the job's
        heartbeat fresh until ``perform_job`` returns: one round trip per job saved."""
        if job._success_callback_name or job._failure_callback_name:
            super().handle_execution_ended(job, queue, heartbeat_ttl)
            return
        job.ended_at = now()

    def handle_job_success(
        self,
        job: Job,
        queue: Queue,
        started_job_registry: StartedJobRegistry,
        execution: Execution,
    ) -> None:
        """RQ's, without its dependents step: RQ WATCHes the job's dependents key and reads
        it (two round trips per job) to enqueue jobs that ``depends_on`` it. Peerline never
        enqueues with ``depends_on`` (``jobs.enqueue``, ``jobs.unique_push``); a job that
        somehow has a dependency recorded still goes through RQ's own path. The rest, the
        counters, result, registries and execution clean-up, is one MULTI/EXEC as in RQ."""
        if job.repeats_left or job._dependency_ids:
            super().handle_job_success(job, queue, started_job_registry, execution)
            return
        with self.connection.pipeline() as pipeline:
            self.increment_successful_job_count(pipeline=pipeline)
            assert job.started_at and job.ended_at
            self.increment_total_working_time(job.ended_at - job.started_at, pipeline)
            result_ttl = job.get_result_ttl(self.default_result_ttl)
            if result_ttl != 0:
                job._handle_success(
                    result_ttl,
                    pipeline=pipeline,
                    worker_name=self.name,
                    execution_id=execution.id,
                    execution_started_at=execution.created_at,
                    execution_ended_at=job.ended_at,
                )
            job.cleanup(result_ttl, pipeline=pipeline, remove_from_queue=False)
            job._status = JobStatus.FINISHED
            self.cleanup_execution(job, pipeline=pipeline, execution=execution)
            pipeline.execute()
        release_slot(job)
        self.log.info("Successfully completed job %s on worker %s", job.id, self.name)

    def heartbeat(self, timeout: int | None = None, pipeline: Any = None) -> None:
        """RQ's heartbeat (an HSET and two EXPIREs) in one round trip, not three; and a
        full one (the worker's own TTL, ``timeout`` None) not repeated within
        ``FULL_BEAT_GAP``: RQ sends three per job (after the job, before and after the
        next dequeue) where the first keeps the worker alive for minutes. Any shorter
        heartbeat (the job-monitoring ones, TTL ~60 s) makes the next full one go out, so
        the worker never blocks on a dequeue under a short TTL (bench/README.md, B4).
        ``jobs.recovery`` reads jobs' heartbeats, not the worker's."""
        full = timeout is None
        if pipeline is not None:
            super().heartbeat(timeout, pipeline)
            if not full:  # a short TTL from now on: the next full heartbeat must go out
                self._full_beat_at = None
            return
        since = self._full_beat_at
        if full and since is not None and time.monotonic() - since < FULL_BEAT_GAP:
            return
        with self.connection.pipeline(transaction=False) as pipe:
            super().heartbeat(timeout, pipe)
            pipe.execute()
        self._full_beat_at = time.monotonic() if full else None

    def set_state(self, state: str, pipeline: Any = None) -> None:
        """Skip writing IDLE again: after each job RQ sets it twice in a row (once when the
        job ends, once before waiting for the next)."""
        if pipeline is None and state == WorkerStatus.IDLE and self._state == state:
            return
        super().set_state(state, pipeline)

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        """The forking worker's TTL (``jobs.recovery`` counts on it), not SimpleWorker's
        job timeout + 60 s, which would hide a dead worker's job for minutes."""
        if job.timeout and job.timeout > 0:
            remaining = job.timeout - working_time
            return int(min(remaining, self.job_monitoring_interval)) + 60
        return int(self.job_monitoring_interval) + 60

    def unsubscribe(self) -> None:
        """Stop the pub/sub thread before unsubscribing, so the reply wakes a thread that
        is already told to stop: RQ's order leaves it asleep and costs a 1 s join."""
        if self.pubsub_thread:
            self.pubsub_thread.stop()
            if self.pubsub is not None:
                self.pubsub.unsubscribe()
            self.pubsub_thread.join(timeout=1)
            if self.pubsub is not None:
                self.pubsub.close()

    def _heartbeat_while_running(
        self, job: Job, execution: Execution, done: threading.Event
    ) -> None:
        while not done.wait(self.job_monitoring_interval):
            try:
                self.maintain_heartbeats(job, execution)
            except Exception:
                self.log.exception("heartbeat for job %s failed; trying again", job.id)

    def _wait_for_database(self) -> None:
        if self._probe is None or time.monotonic() - self._probed_at < PROBE_EVERY:
            return
        backoff = Backoff()
        while not self.stopping and not self._stop_requested:
            try:
                self._probe()
            except Exception as exc:
                if outage_of(exc) is None:
                    raise
                delay = backoff.delay()
                self._health.down(DATABASE, exc, delay)
                with contextlib.suppress(RedisError):
                    self.heartbeat()  # still alive: the registry must not take us for dead
                time.sleep(delay)
                continue
            self._health.up(DATABASE)
            self._probed_at = time.monotonic()
            return
