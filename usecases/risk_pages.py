"""Why a coordinator is paged about a texter, and how the reason rides along with the page.

A coordinator reading "risk language in a text" expects words of danger; one who reads
"asked for the crisis line by text" knows the person chose it themselves. The reason is
an enum from the moment a text is read to the sentence chosen for the page.

The page job carries the texter's key and the ticket only (``Jobs.page_risk``), so the
reason travels inside the key as ``reason:key`` (``subject``/``parse``); a key without a
reason, such as a job queued before reasons existed, reads as risk language.
"""

from __future__ import annotations

from enum import StrEnum

from ivr.messages import Msg


class PageReason(StrEnum):
    RISK_LANGUAGE = "risk_language"  # the risk screen matched words in a text
    CRISIS_KEY = "crisis_key"  # the texter asked for the crisis line: 9, "crisis", "988"


PAGE_MESSAGE = {
    PageReason.RISK_LANGUAGE: Msg.PAGE_RISK,
    PageReason.CRISIS_KEY: Msg.PAGE_CRISIS_KEY,
}
_SEPARATOR = ":"  # never in a key: keys are hex blind indexes


def subject(sender_key: str, reason: PageReason) -> str:
    """What the page job carries for ``sender_key`` paged for ``reason``."""
    return f"{reason.value}{_SEPARATOR}{sender_key}"


def parse(subject_: str) -> tuple[str, PageReason]:
    """The texter's key and the reason from a page job's ``sender_key`` argument."""
    reason, separator, key = subject_.partition(_SEPARATOR)
    if separator and reason in PageReason._value2member_map_:
        return key, PageReason(reason)
    return subject_, PageReason.RISK_LANGUAGE
