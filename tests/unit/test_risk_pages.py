"""Why a coordinator is paged rides with the page job, and picks the page's words."""

from __future__ import annotations

import pytest

from ivr.catalogue import sms
from ivr.model import Language
from usecases.risk_pages import PAGE_MESSAGE, PageReason, parse, subject

KEY = "0f" * 16  # a texter's key: a hex blind index, cut to 32 characters


@pytest.mark.parametrize("reason", list(PageReason))
def test_the_reason_survives_the_job(reason: PageReason) -> None:
    assert parse(subject(KEY, reason)) == (KEY, reason)


def test_a_key_without_a_reason_is_risk_language() -> None:
    # A page job queued before reasons existed carries the bare key.
    assert parse(KEY) == (KEY, PageReason.RISK_LANGUAGE)
    assert parse("unknown:" + KEY) == ("unknown:" + KEY, PageReason.RISK_LANGUAGE)


def test_each_reason_is_worded_for_the_coordinator_without_personal_data() -> None:
    pages = {reason: sms(PAGE_MESSAGE[reason], Language.EN, ticket="K7Q2") for reason in PageReason}
    assert pages == {
        PageReason.RISK_LANGUAGE: "Peerline: ticket K7Q2, risk language in a text, now."
        " Reply ACK K7Q2.",
        PageReason.CRISIS_KEY: "Peerline: ticket K7Q2, asked for the crisis line by text, now."
        " Reply ACK K7Q2.",
    }
