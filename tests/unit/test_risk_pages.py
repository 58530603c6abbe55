"""Why a coordinator is paged picks the page's words."""

from __future__ import annotations

from ivr.catalogue import sms
from ivr.model import Language
from usecases.risk_pages import PAGE_MESSAGE, PageReason


def test_each_reason_is_worded_for_the_coordinator_without_personal_data() -> None:
    pages = {reason: sms(PAGE_MESSAGE[reason], Language.EN, ticket="K7Q2") for reason in PageReason}
    assert pages == {
        PageReason.RISK_LANGUAGE: "Peerline: ticket K7Q2, risk language in a text, now."
        " Reply ACK K7Q2.",
        PageReason.CRISIS_KEY: "Peerline: ticket K7Q2, asked for the crisis line by text, now."
        " Reply ACK K7Q2.",
        PageReason.RISK_SPEECH: "Peerline: ticket K7Q2, risk language on a call, now."
        " Reply ACK K7Q2.",
        PageReason.RISK_WEB: "Peerline: ticket K7Q2, risk language in a web request, now."
        " Reply ACK K7Q2.",
    }
