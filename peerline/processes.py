"""Long-running processes: the RQ worker, the reconciler loop, and ``run`` (all of them).

``peerline sandbox`` becomes its own program: ``peerline/sandbox_carrier.py``."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
import time
from datetime import timedelta
from types import FrameType

from redis.exceptions import RedisError
from rq.serializers import JSONSerializer

from jobs import context
from jobs.outages import DATABASE, REDIS, Backoff, Health, outage_of, wait_until_up
from jobs.reconciler import close_idle_texts, reconcile
from jobs.recovery import (
    JOB_MONITORING_INTERVAL,
    RECOVERY_TICK,
    recover_abandoned,
    recover_dequeued,
)
from jobs.worker import PeerlineWorker
from peerline import bootstrap, demo
from peerline.deployment import sandbox_refusal
from peerline.policies import follow_up_config
from peerline.process_tree import ProcessTree
from peerline.redis_server import stop_embedded
from peerline.settings import Settings
from storage.migrate import upgrade
from storage.roster import RosterStore
from usecases.text_replay import TextReplay

logger = logging.getLogger(__name__)

# RQ's default maintenance pass runs every 10 min; a caller can't wait that long for a job
# whose worker died (DESIGN: re-run within 30 s), so workers clean up far more often.
MAINTENANCE_INTERVAL = 15
STARTUP_TIMEOUT = 60.0  # `run`: seconds for the web and sandbox ports to answer
STOP_GRACE = 2.0  # `run`: seconds children get after SIGTERM before SIGKILL (Ctrl-C ≤ 3 s)
STABLE_AFTER = 60.0  # a worker loop that ran this long starts its backoff afresh


def run_worker(settings: Settings, *, burst: bool = False) -> None:
    """RQ's work loop over warm dependencies (``jobs.worker``), started again whenever it
    ends without being asked to (Redis went away, an unexpected error), once Redis answers;
    backoff and health lines in ``jobs.outages``."""
    services = bootstrap.build(settings)
    context.install(lambda: bootstrap.worker_deps(settings))
    # Jobs run in this process (jobs.worker): engine, Redis, Twilio client and their lazy
    # imports are built once, here, before the first job rather than during it.
    context.current()
    health, backoff = Health("worker"), Backoff()
    stop = _stop_on_signals()
    while wait_until_up(REDIS, services.redis.ping, health, stop):
        worker = PeerlineWorker(
            services.queues.all(),
            connection=services.redis,
            serializer=JSONSerializer,
            maintenance_interval=MAINTENANCE_INTERVAL,
            job_monitoring_interval=JOB_MONITORING_INTERVAL,  # what jobs.recovery relies on
            database_probe=services.store.ping,
            health=health,
        )
        started = time.monotonic()
        try:
            worker.work(burst=burst, with_scheduler=True, logging_level=settings.log_level)
        except Exception as exc:  # RQ's start-up and teardown talk to Redis outside its loop
            if outage_of(exc) is None:
                logger.exception("worker: RQ's loop failed")
        _stop_on_signals(stop)  # RQ replaced our handlers with its own worker's
        if burst or worker.stopping or stop.is_set():
            break
        if time.monotonic() - started > STABLE_AFTER:
            backoff.reset()
        delay = backoff.delay()
        logger.warning("health: worker's job loop ended; starting it again in %.0f s", delay)
        stop.wait(delay)
    services.close()


def run_scheduler(
    settings: Settings, *, interval: float = 10.0, stop: threading.Event | None = None
) -> None:
    """Reconcile the database's waiting requests with Redis every ``interval`` seconds."""
    services = bootstrap.build(settings)
    deps = bootstrap.dispatch_deps(services)
    replay = bootstrap.text_replay(services, deps.outbound)
    daily = bootstrap.coverage_text(services, deps.outbound)
    stop = stop or _stop_on_signals()
    health, backoff = Health("scheduler"), Backoff(cap=max(5.0, interval))
    logger.info(
        "scheduler: a pass every %.1f s, a look for dead workers' jobs every %.0f s",
        interval,
        RECOVERY_TICK,
    )
    while not stop.is_set():
        wait = interval
        try:
            services.redis.ping()  # an outage is one health line, not a failed pass each time
            services.store.ping()
            _reconciler_pass(services, deps, replay)
            if daily is not None:
                daily.send_if_due()  # once a day, when tomorrow has a coverage gap
            health.up(REDIS)
            health.up(DATABASE)
            backoff.reset()
        except Exception as exc:
            service = outage_of(exc)
            if service is None:
                logger.exception("reconciler pass failed; next pass in %.0fs", interval)
            else:
                wait = backoff.delay()
                health.down(service, exc, wait)
        _watch_for_dead_workers(services, stop, until=time.monotonic() + wait)
    services.close()


def _watch_for_dead_workers(
    services: bootstrap.Services, stop: threading.Event, until: float
) -> None:
    """Between passes, look for jobs whose worker died every ``RECOVERY_TICK`` seconds: a
    pass may be many seconds apart, and a caller's dispatch should not wait for it."""
    while not stop.wait(max(0.0, min(RECOVERY_TICK, until - time.monotonic()))):
        if time.monotonic() >= until:
            return
        with contextlib.suppress(RedisError):  # the next pass says so, in its health line
            if recovered := recover_abandoned(services.queues) + recover_dequeued(services.queues):
                logger.warning("recovery: %d job(s) of a dead worker handed back", recovered)


def _reconciler_pass(
    services: bootstrap.Services, deps: bootstrap.WorkerDeps, replay: TextReplay
) -> None:
    settings = services.settings
    result = reconcile(
        services.store,
        services.queues,
        stuck_offers=deps.dispatcher.recover_stuck_offers,
        unfinished=bootstrap.unfinished(services),
    )
    if expired := deps.expiry.expire_overdue():
        logger.info("expiry: %d request(s) expired", expired)
    if texted := deps.follow_ups.send_due():  # 48 h after a connected call, if they said yes
        logger.info("follow-up: %d text(s) sent", texted)
    forget_after = timedelta(days=settings.identity_grace_days)
    window = follow_up_config(settings).window
    services.store.forget_callers(
        closed_before=services.store.clock() - forget_after,
        follow_ups_since=services.store.clock() - window,
    )
    services.store.forget_idle_sessions(before=services.store.clock() - forget_after)
    close_idle_texts(
        services.store, bootstrap.jobs(services), timedelta(hours=settings.sms_idle_hours)
    )
    replay.replay()  # texts kept while the database was away; raises if it still is
    if result.enqueued or result.abandoned_jobs or result.stuck_offers or result.call_backs:
        logger.info(
            "reconciler: %d request(s) re-queued, %d abandoned job(s) retried, "
            "%d stuck offer(s) closed, %d call back(s) resumed",
            result.enqueued,
            result.abandoned_jobs,
            result.stuck_offers,
            result.call_backs,
        )


def run_everything(settings: Settings, *, sandbox: bool = True) -> int:
    """``peerline run``: migrations, demo data, embedded Redis, sandbox, web, worker, reconciler.

    Returns only when it refuses to start; otherwise it ends the process once everything it
    started has stopped.
    """
    if sandbox and (line := sandbox_refusal(settings)):
        print(line, file=sys.stderr)
        return 2
    stop = _stop_on_signals()  # first: a Ctrl-C while starting still stops what started
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    services = bootstrap.build(settings)
    env = dict(os.environ)
    env["PEERLINE_REDIS_URL"] = services.redis_url  # children share the embedded server
    sandbox_url = f"http://127.0.0.1:{settings.sandbox_port}"
    if sandbox:
        env["PEERLINE_TWILIO_API_URL"] = sandbox_url  # Peerline's carrier talks to it
    tree = ProcessTree(env)
    status, threads = 1, list[threading.Thread]()
    try:
        status = _start_and_watch(
            settings, services, tree, stop, sandbox_url if sandbox else None, threads
        )
    finally:
        stop.set()
        tree.stop(grace=STOP_GRACE)
        for thread in threads:  # the reconciler: its Redis connection closes before the server
            thread.join(timeout=STOP_GRACE)
        services.close()
        for handle in services.keep_alive:  # the embedded Redis, last: nothing uses it now
            stop_embedded(handle)
    # Everything `run` started has stopped. Skip tearing down the interpreter's thousands of
    # modules: on a busy laptop that alone took seconds of a Ctrl-C's 3 s.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def _start_and_watch(
    settings: Settings,
    services: bootstrap.Services,
    tree: ProcessTree,
    stop: threading.Event,
    sandbox_url: str | None,
    threads: list[threading.Thread],
) -> int:
    """Seed, start the children, print the banner once they answer, and watch them."""
    upgrade(services.store.engine)
    roster = RosterStore(services.store.engine, services.store.cipher)
    demo.seed(settings, services.store, roster)
    login = demo.seed_console(settings, services.store, roster)
    ports = [(settings.host, settings.port)]
    if sandbox_url:
        tree.spawn("sandbox", ["sandbox"])
        ports.append(("127.0.0.1", settings.sandbox_port))
    tree.spawn("web", ["serve"])
    tree.spawn("worker", ["worker"])
    if problem := tree.wait_for_ports(ports, stop, STARTUP_TIMEOUT):
        if stop.is_set():
            return 0
        print(f"peerline: {problem}; stopping", file=sys.stderr)
        return 1
    print(_banner(settings, sandbox_url, login), flush=True)
    reconciler_settings = settings.model_copy(update={"redis_url": services.redis_url})
    scheduler = threading.Thread(
        target=run_scheduler, args=(reconciler_settings,), kwargs={"stop": stop}
    )
    threads.append(scheduler)
    scheduler.start()
    while not stop.is_set():
        tree.restart_exited()  # after a backoff; a crash of one never stops the others
        stop.wait(0.5)
    return 0


def _banner(settings: Settings, sandbox_url: str | None, login: tuple[str, str] | None) -> str:
    base = f"http://{settings.host}:{settings.port}"
    lines = ["", "Peerline is running."]
    if sandbox_url:
        lines.append(f"  softphone: {sandbox_url}/   <- open this to call the hotline")
    lines.append(f"  console:   {base}/console/   <- the coordinator console")
    if login:
        lines.append(f"             sign in as {login[0]} / {login[1]}")
    lines.append(f"  request:   {base}/request   <- ask for support from a browser")
    lines += [
        f"  webhooks:  {base}/twilio/voice",
        f"  health:    {base}/readyz",
        f"  data:      {settings.var_dir.resolve()}",
        "Press Ctrl-C to stop.",
        "",
    ]
    return "\n".join(lines)


def _stop_on_signals(stop: threading.Event | None = None) -> threading.Event:
    """An event SIGINT, SIGTERM and SIGHUP set (installed again on ``stop`` when given)."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():

        def handler(signum: int, frame: FrameType | None) -> None:
            stop.set()

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, handler)
    return stop
