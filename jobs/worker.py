"""The worker that runs Peerline's jobs: warm dependencies, no fork per job, same heartbeat.

RQ's default ``Worker`` forks a work horse per job, so every job rebuilt its database
engine, Redis connection and Twilio HTTP client, and imported what the parent had not:
about 70-100 ms of CPU for a dispatch that needs 20 (docs/benchmarks.md). ``WarmWorker``
runs each job in the worker process itself, where ``jobs.context`` keeps one set of
dependencies for the process's life.

What the fork gave, kept:

- **Death detection.** While a job runs, a thread renews the job's heartbeat every
  ``job_monitoring_interval`` seconds with the forking worker's TTL (interval + 60 s), so
  ``jobs.recovery`` sees exactly what it sees with a work horse: a worker that dies, for
  any reason, stops heartbeating and its job is handed back within ``STALE_AFTER``.
- **Job timeouts.** RQ's death penalty (SIGALRM in this, the main, thread) ends a job that
  overruns its timeout, as it ended a horse's.
- **Isolation from a crash.** A job that kills the process (segfault, OOM) takes the
  worker with it; the supervisor restarts it and recovery re-runs the job. That is the
  same outcome as a killed horse, a few seconds later.
"""

from __future__ import annotations

import threading

from rq import SimpleWorker
from rq.executions import Execution
from rq.job import Job
from rq.queue import Queue
from rq.worker import WorkerStatus


class WarmWorker(SimpleWorker):
    """A ``SimpleWorker`` with a forking worker's heartbeats."""

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
