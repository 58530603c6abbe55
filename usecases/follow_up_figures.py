"""Follow-up figures for the requests report (``usecases.request_report.FollowUpFigures``):
follow-up requests (a caller who came back was offered their previous supporter first) by
how soon, the answer to the follow-up question at intake, the texts after a connected call
and what came of them, the sessions of callers' episodes, the two optional feedback
answers, and the answers to supporters' self-care check after a call. Counts only,
suppressed like every other."""

from __future__ import annotations

from datetime import datetime

from storage.reports import ReportQueries
from usecases.report_figures import URGENCIES, Table, breakdown

SELF_CARE = {"fine": "fine", "debrief": "asked for a debrief", "": "no answer"}
CONSENT = {"yes": "yes, one text", "no": "no", "": "not asked"}
TEXTS = {
    "accepted": "talk again: a follow-up request",
    "declined": "no, thanks",
    "": "no answer",
    "last": "after the episode's last session (thanks only)",
    "not_sent": "not sent (opted out, number refused)",
}
SESSIONS = {"1": "first", "2": "second", "3": "third or later"}
HELPED = {str(n): str(n) for n in range(1, 6)}
RECOMMEND = {"yes": "yes", "no": "no"}


class FollowUpTables:
    def __init__(self, queries: ReportQueries) -> None:
        self.queries = queries

    def tables(self, start: datetime, end: datetime, threshold: int) -> list[Table]:
        facts = self.queries.requests(start, end)
        answers = self.queries.self_care_answers(start, end)
        texts = self.queries.follow_up_texts(start, end)
        feedback = self.queries.feedback(start, end)
        firsts = [f for f in facts if f.session_no == 1]
        return [
            breakdown(
                "follow_ups",
                "Follow-up requests (back to the same supporter) by how soon",
                "how soon",
                URGENCIES,
                [f.urgency for f in facts if f.follow_up],
                threshold,
            ),
            breakdown(
                "follow_up_consent",
                "One follow-up text after the call? (asked at the end of intake)",
                "answer",
                CONSENT,
                [_consent(f.follow_up_ok) for f in firsts],
                threshold,
            ),
            breakdown(
                "follow_up_texts",
                "Follow-up texts after a connected call, by what came of them",
                "outcome",
                TEXTS,
                _spread(texts),
                threshold,
                column="texts",
            ),
            breakdown(
                "follow_up_sessions",
                "Requests by session of the caller's episode",
                "session",
                SESSIONS,
                [str(min(f.session_no, 3)) for f in facts],
                threshold,
            ),
            breakdown(
                "feedback_helped",
                "Did the call help? (optional; 1 not at all, 5 a lot)",
                "answer",
                HELPED,
                _spread({a: n for (q, a), n in feedback.items() if q == "helped"}),
                threshold,
                column="answers",
            ),
            breakdown(
                "feedback_recommend",
                "Would you recommend it to a colleague? (optional)",
                "answer",
                RECOMMEND,
                _spread({a: n for (q, a), n in feedback.items() if q == "recommend"}),
                threshold,
                column="answers",
            ),
            breakdown(
                "self_care",
                "Supporters' self-care check after a call",
                "answer",
                SELF_CARE,
                _spread(answers),
                threshold,
                column="checks",
            ),
        ]


def _consent(ok: bool | None) -> str:
    return "" if ok is None else "yes" if ok else "no"


def _spread(counts: dict[str, int]) -> list[str]:
    return [value for value, n in counts.items() for _ in range(n)]
