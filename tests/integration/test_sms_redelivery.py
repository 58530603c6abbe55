"""A text delivered many times at once is applied once (the probe saw a "1" answer two
questions in 10 of 20 conversations with 3 copies, and in 10 of 10 with 50).

Each copy is handled on its own thread with its own database connection, as copies
reaching different web processes would be, all released at the same instant."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.conftest import Line
from tests.integration.test_dispatch_concurrency import run_threads
from usecases.inbound import Text
from usecases.text_desk import TextDesk

pytestmark = pytest.mark.integration


def desk(line: Line) -> TextDesk:
    handler: TextDesk = line.client.app.state.sms  # type: ignore[attr-defined]
    return handler


def at_role_question(line: Line, texter: str, n: int) -> None:
    """A conversation that has been welcomed and chose English: next comes the role."""
    desk(line).handle(Text(f"SM{n:04d}{'a' * 28}", texter, "hello"))
    reply = desk(line).handle(Text(f"SM{n:04d}{'b' * 28}", texter, "1"))
    assert "Which best describes your role" in reply


def turn_of(line: Line, texter: str) -> int:
    since = datetime.now(UTC) - timedelta(days=1)
    record = line.services.store.active_session(texter, "sms", since)
    assert record is not None
    return record.turn


@pytest.mark.parametrize(("conversations", "copies"), [(4, 3), (2, 50)])
def test_copies_of_one_answer_arriving_at_once_are_applied_once(
    line: Line, conversations: int, copies: int
) -> None:
    texters = [f"+1617555{2000 + n:04d}" for n in range(conversations)]
    for n, texter in enumerate(texters):
        at_role_question(line, texter, n)
    before = {t: turn_of(line, t) for t in texters}
    barrier = threading.Barrier(conversations * copies, timeout=60)
    replies: dict[str, list[str]] = {t: [] for t in texters}
    lock = threading.Lock()

    def deliver(texter: str, n: int) -> None:
        barrier.wait()
        reply = desk(line).handle(Text(f"SM{n:04d}{'c' * 28}", texter, "1"))  # "nurse"
        with lock:
            replies[texter].append(reply)

    targets = [
        (lambda t=t, n=n: deliver(t, n)) for n, t in enumerate(texters) for _ in range(copies)
    ]
    assert run_threads(targets) == []
    for texter in texters:
        assert turn_of(line, texter) == before[texter] + 1, "the answer was applied twice"
        assert len(set(replies[texter])) == 1, "every copy gets the first copy's reply"
        assert "How soon" in replies[texter][0]
    # The next answer answers the next question: "1" is "today", and the organization
    # question follows (had the nurse "1" been applied twice, "today" would be taken).
    for n, texter in enumerate(texters):
        reply = desk(line).handle(Text(f"SM{n:04d}{'d' * 28}", texter, "1"))
        assert "How soon" not in reply and "role" not in reply


def test_copies_of_the_first_text_start_one_conversation(line: Line) -> None:
    texter = "+16175553000"
    barrier = threading.Barrier(20, timeout=60)
    replies: list[str] = []

    def deliver() -> None:
        barrier.wait()
        replies.append(desk(line).handle(Text("SM" + "e" * 32, texter, "hello")))

    assert run_threads([deliver] * 20) == []
    assert len(set(replies)) == 1 and "Para español" in replies[0]
    assert turn_of(line, texter) == 0, "'hello' was taken as an answer"


def test_copies_of_a_risk_text_page_the_coordinator_once(line: Line) -> None:
    kim = "+12015550199"
    line.roster.add_coordinator("Coordinator Kim", kim)
    texter = "+16175553001"
    barrier = threading.Barrier(20, timeout=60)
    replies: list[str] = []

    def deliver() -> None:
        barrier.wait()
        text = Text("SM" + "f" * 32, texter, "I want to end it tonight")
        replies.append(desk(line).handle(text))

    assert run_threads([deliver] * 20) == []
    assert len(set(replies)) == 1 and "988" in replies[0]
    queued = [j for q in line.services.queues.all() for j in q.job_ids if j.startswith("risk-")]
    assert len(queued) == 1, "one page job, not one per copy (workers would race)"
    line.work()
    pages = [m for m in line.carrier.messages if m["to"] == kim]
    assert len(pages) == 1, pages
