"""A flow step as the text of one SMS reply. Pure."""

from __future__ import annotations

from dataclasses import replace

from ivr.messages import Msg
from ivr.model import Channel, Line, Prompt, Step
from ivr.prompts import sentences


def render_sms(step: Step, *, after_crisis: bool = False) -> str:
    """The reply: the step's sentences, menu options on their own lines.

    ``after_crisis``: the same message already gives the crisis numbers (the answer to
    risk language), so the step's prompt says them no more (``after_crisis_numbers``)."""
    prompt = after_crisis_numbers(step.prompt) if after_crisis else step.prompt
    lines: list[str] = []
    for words, _language in sentences(prompt, Channel.SMS):
        if lines and not words[:1].isdigit() and not lines[-1][:1].isdigit():
            lines[-1] = f"{lines[-1]} {words}"  # prose runs on; options stand alone
        else:
            lines.append(words)
    return "\n".join(lines)


def after_crisis_numbers(prompt: Prompt) -> Prompt:
    """``prompt`` as texted right after the crisis numbers: 911 and 988 once per message.

    The safety notice becomes a plain introduction (who is texting), the crisis answer
    itself is not repeated, and the "reply 9 for crisis numbers" reminder is left out."""
    lines = tuple(
        Line(Msg.INTRO, line.language) if line.msg is Msg.SAFETY else line
        for line in prompt.lines
        if line.msg is not Msg.CRISIS_TEXT
    )
    return replace(prompt, lines=lines, crisis_said=True)
