"""The daily coverage text: when tomorrow has a gap, the on-call coordinator hears of it
once a day ("Peerline: Tomorrow 02:00-06:00: no Spanish speaker on shift. Reply COVER for
names.") and COVER answers with the first names to ask. Through the one outbound sender;
no personal data beyond supporters' first names, and those only in the COVER reply.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from ivr.catalogue import catalogue, sms
from ivr.messages import Msg
from ivr.model import Channel, Language
from matching.coverage import GapSpan
from storage.roster import RosterStore
from usecases.coverage import Coverage, first_names
from usecases.errors import CarrierError, RetryableCarrierError
from usecases.escalation import paging_order
from usecases.outbound import Outbound
from usecases.outbound_policy import Purpose
from usecases.ports import Once

logger = logging.getLogger(__name__)

EN = Language.EN
MAX_GAPS = 3  # in one text; the rest are "and 2 more"
CLAIM_TTL = 2 * 24 * 3600


@dataclass(frozen=True)
class CoverageTextConfig:
    at: time = time(18)  # in the program's zone: the text goes at this time or later


class CoverageText:
    def __init__(
        self,
        coverage: Coverage,
        roster: RosterStore,
        outbound: Outbound,
        once: Once,
        config: CoverageTextConfig,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.coverage, self.roster, self.outbound, self.once = coverage, roster, outbound, once
        self.config, self.clock = config, clock

    def send_if_due(self) -> bool:
        """The scheduler's pass: text the on-call coordinator if it is time, tomorrow has a
        gap and nobody has today. True when a text went."""
        local = self.clock().astimezone(self.coverage.zone)
        if local.time() < self.config.at:
            return False
        gaps = self.coverage.tomorrow().gaps
        if not gaps:
            return False
        key = f"coverage-text:{local.date().isoformat()}"
        if not self.once.first(key, CLAIM_TTL):
            return False
        order = paging_order(self.roster.coordinators(), self.clock())
        phone = self.roster.coordinator_phone(order[0].id) if order else None
        if phone is None:
            logger.error("coverage text: no coordinator to tell about %d gap(s)", len(gaps))
            return False
        try:
            self.outbound.sms(phone, tomorrow_text(gaps), purpose=Purpose.COORDINATOR)
        except RetryableCarrierError as exc:
            logger.warning("coverage text failed code=%s; next pass tries again", exc.code)
            self.once.forget(key)
            return False
        except CarrierError as exc:
            logger.warning("coverage text refused code=%s", exc.code)
            return False
        logger.info("coverage text sent: %d gap(s) tomorrow", len(gaps))
        return True


def cover_reply(coverage: Coverage, roster: RosterStore, now: datetime) -> str | None:
    """COVER's reply when tomorrow has gaps: each with the first names to ask (else None)."""
    gaps = coverage.tomorrow().gaps
    if not gaps:
        return None
    words = catalogue(Channel.SMS)
    parts = []
    for span in gaps[:MAX_GAPS]:
        names = ", ".join(first_names(span.suggestions)) or words.word("nobody", EN)
        ask = words.word("gap.ask", EN).format(names=names)
        parts.append(f"{_hours(span)}: {span.gap.text(EN)}: {ask}")
    order = paging_order(roster.coordinators(), now)[:3]
    ladder = " > ".join(c.name.split()[0] for c in order)
    return sms(Msg.COVERAGE_ASKS, EN, asks=_joined(parts, len(gaps)), ladder=ladder)


def tomorrow_text(gaps: tuple[GapSpan, ...]) -> str:
    """ "Peerline: Tomorrow 02:00-06:00: no Spanish speaker on shift. Reply COVER for names."
    No names: a page carries no personal data."""
    parts = [f"{_hours(s)}: {s.gap.text(EN)}" for s in gaps[:MAX_GAPS]]
    return sms(Msg.COVERAGE_TOMORROW, EN, gaps=_joined(parts, len(gaps)))


def _joined(parts: list[str], total: int) -> str:
    more = total - len(parts)
    if more > 0:
        parts = [*parts, catalogue(Channel.SMS).word("gap.more", EN).format(n=more)]
    return "; ".join(parts)


def _hours(span: GapSpan) -> str:
    """02:00-06:00 (ASCII: an en dash would make the text UCS-2, half as long a segment)."""
    end = "24:00" if span.end - span.start >= timedelta(days=1) else f"{span.end:%H:%M}"
    if end == "00:00":
        end = "24:00"
    return f"{span.start:%H:%M}-{end}"
