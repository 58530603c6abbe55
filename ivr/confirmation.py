"""The confirmation that ends an intake: what happens next, and an honest promise. Pure."""

from __future__ import annotations

from ivr.messages import Msg
from ivr.model import (
    CallbackWindow,
    Completed,
    ContactMode,
    Input,
    Line,
    Prompt,
    Session,
    Step,
    Urgency,
)

ETA = {  # the promise read to a caller, by urgency
    Urgency.URGENT: Msg.ETA_URGENT,
    Urgency.SOON: Msg.ETA_SOON,
    Urgency.ROUTINE: Msg.ETA_ROUTINE,
}
_WINDOW = {
    CallbackWindow.ASAP: Msg.WINDOW_ASAP,
    CallbackWindow.MORNING: Msg.WINDOW_MORNING,
    CallbackWindow.AFTERNOON: Msg.WINDOW_AFTERNOON,
    CallbackWindow.EVENING: Msg.WINDOW_EVENING,
}


def complete(session: Session) -> Step:
    """The last step of a finished flow: the confirmation, and the answers to keep."""
    answers = session.answers
    lang = session.language
    lines: tuple[Line, ...]
    if answers.contact_mode is ContactMode.HOLD:
        lines = (Line(Msg.CONFIRM_HOLD, lang),)
    elif answers.contact_mode is ContactMode.TEXT_FIRST:
        eta = ETA[answers.urgency or Urgency.SOON]
        lines = (Line(Msg.CONFIRM_TEXT_FIRST, lang), Line(eta, lang))
    else:
        window = answers.callback_window or CallbackWindow.ASAP
        lines = (
            Line(Msg.CONFIRM_CALLBACK, lang),
            Line(_WINDOW[window], lang),
            Line(ETA[answers.urgency or Urgency.SOON], lang),
        )
    return Step(session, Prompt(lines, input=Input.NONE, language=lang), Completed(answers, lang))
