"""Why a coordinator is paged about a texter.

A coordinator reading "risk language in a text" expects words of danger; one who reads
"asked for the crisis line by text" knows the person chose it themselves. The reason is an
enum from the moment a text is read to the sentence chosen for the page (the page job
carries it as its own argument).
"""

from __future__ import annotations

from enum import StrEnum

from ivr.messages import Msg


class PageReason(StrEnum):
    RISK_LANGUAGE = "risk_language"  # the risk screen matched words in a text
    CRISIS_KEY = "crisis_key"  # the texter asked for the crisis line: 9, "crisis", "988"
    RISK_SPEECH = "risk_speech"  # the risk screen matched a spoken answer on a call
    RISK_WEB = "risk_web"  # the risk screen matched words typed into the web form


PAGE_MESSAGE = {
    PageReason.RISK_LANGUAGE: Msg.PAGE_RISK,
    PageReason.CRISIS_KEY: Msg.PAGE_CRISIS_KEY,
    PageReason.RISK_SPEECH: Msg.PAGE_RISK_CALL,
    PageReason.RISK_WEB: Msg.PAGE_RISK_WEB,
}
