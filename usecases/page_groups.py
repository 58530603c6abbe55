"""Grouped pages: in a surge a coordinator gets one page per interval, not one per request.

The probe's 200-request surge sent one coordinator 193 pages in about 3 minutes: each page
buried the one before, and the phone was useless for anything else. Now each coordinator's
first SLA page in an interval (``PEERLINE_PAGE_INTERVAL_MINUTES``, default 2) goes at once,
as before; any more within the interval are held, and at its end one page sums them up:
"Peerline: 12 requests waiting, 3 urgent. Oldest: ticket K7Q2. Reply ACK K7Q2; the rest
are on the board." That page counts as the next interval's first, so a surge that goes on
gets one page per interval. Held pages are logged as pages (the escalation ladder moves on
exactly as it would), requests acknowledged or closed meanwhile are left out, and a group
of one is the ordinary page. The rate is kept in Redis through the ``RateLimiter`` port,
shared by every worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from ivr.catalogue import sms
from ivr.messages import Msg
from ivr.model import Language, Urgency
from storage.records import RequestRecord
from usecases.ports import RateLimiter


@dataclass(frozen=True)
class PageGroups:
    limiter: RateLimiter
    interval: timedelta  # zero: every page goes at once

    def goes_now(self, coordinator_id: str, page: str) -> bool:
        """Whether ``page`` is the coordinator's first in the interval (then it goes now)."""
        if self.interval <= timedelta(0):
            return True
        seconds = self.interval.total_seconds()
        return self.limiter.admit(f"page:{coordinator_id}", page, 1, seconds)


def grouped_page(requests: Sequence[RequestRecord]) -> str:
    """The sum of held pages: how many wait, how many urgent, the oldest urgent ticket (or
    the oldest) to ACK. Ticket codes and counts only, never anything about a caller."""
    urgent = [r for r in requests if r.urgency is Urgency.URGENT]
    oldest = min(urgent or requests, key=lambda r: r.created_at)
    return sms(
        Msg.PAGE_GROUPED,
        Language.EN,
        waiting=len(requests),
        urgent=len(urgent),
        ticket=oldest.ticket,
    )
