"""The rig's callers: each asks to be connected now, walked through the IVR by webhook."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field

from calls import Call, steps_for
from load import Pool, Record, deliver

# The IVR keys of an urgent "connect me now" request: English, nurse, urgent, any
# organization, hold. Every supporter the rig seeds can take it.
HOLD_KEYS = "111312"  # ..., connect me now, no follow-up text
STEPS = steps_for(HOLD_KEYS, "hold")
FINAL = len(HOLD_KEYS)  # STEPS[FINAL] is the last key (STEPS[0] is the call's start)


@dataclass
class Caller:
    """One inbound caller who asks to be connected now (``HOLD_KEYS``)."""

    call: Call
    sent: float = 0.0  # monotonic: the last key's webhook was written
    answered: float = 0.0  # ... and its answer read
    bodies: list[bytes] = field(default_factory=list)  # the answers to the last key

    @classmethod
    def new(cls, rnd: random.Random) -> Caller:
        call = Call(rnd, "hold")
        call.steps = STEPS
        return cls(call)

    @property
    def sid(self) -> str:
        return self.call.sid


async def walk(
    pool: Pool,
    port: int,
    caller: Caller,
    record: Record,
    think: tuple[float, float] = (0.0, 0.0),
    rnd: random.Random | None = None,
    upto: int = FINAL,
) -> bool:
    """Post the caller's start and keys before step ``upto``; False on any bad answer."""
    for step in STEPS[:upto]:
        raw = caller.call.request(port, step)
        if await deliver(pool, caller.sid, step, raw, record, time.perf_counter()) is None:
            return False
        if think[1] and rnd is not None:
            await asyncio.sleep(rnd.uniform(*think))
    return True


async def last_key(pool: Pool, port: int, caller: Caller, record: Record, copies: int = 1) -> bool:
    """Post the final key (``copies`` times at once); stamps ``sent`` and ``answered``."""
    step = STEPS[FINAL]
    raw = caller.call.request(port, step)
    caller.sent = time.monotonic()
    t0 = time.perf_counter()
    bodies = await asyncio.gather(
        *(deliver(pool, caller.sid, step, raw, record, t0) for _ in range(copies))
    )
    caller.answered = time.monotonic()
    caller.bodies = [b for b in bodies if b is not None]
    return len(caller.bodies) == copies


async def prewalk(port: int, callers: list[Caller], record: Record, concurrency: int) -> None:
    """Walk every caller up to (not including) the final key, ``concurrency`` at a time."""
    pool = Pool(port)
    queue = list(callers)

    async def lane() -> None:
        while queue:
            await walk(pool, port, queue.pop(), record)

    await asyncio.gather(*(lane() for _ in range(concurrency)))
    pool.close()
