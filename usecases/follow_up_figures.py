"""Follow-up figures for the requests report (``usecases.request_report.FollowUpFigures``):
follow-up requests (a caller who came back was offered their previous supporter first)
by how soon, and the answers to supporters' self-care check after a call. Counts only,
suppressed like every other."""

from __future__ import annotations

from datetime import datetime

from storage.reports import ReportQueries
from usecases.report_figures import URGENCIES, Table, breakdown

SELF_CARE = {"fine": "fine", "debrief": "asked for a debrief", "": "no answer"}


class FollowUpTables:
    def __init__(self, queries: ReportQueries) -> None:
        self.queries = queries

    def tables(self, start: datetime, end: datetime, threshold: int) -> list[Table]:
        facts = self.queries.requests(start, end)
        answers = self.queries.self_care_answers(start, end)
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
                "self_care",
                "Supporters' self-care check after a call",
                "answer",
                SELF_CARE,
                [answer for answer, n in answers.items() for _ in range(n)],
                threshold,
                column="checks",
            ),
        ]
