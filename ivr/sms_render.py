"""A flow step as the text of one SMS reply. Pure."""

from __future__ import annotations

from ivr.model import Channel, Step
from ivr.prompts import sentences


def render_sms(step: Step) -> str:
    """The reply: the step's sentences, menu options on their own lines."""
    lines: list[str] = []
    for words, _language in sentences(step.prompt, Channel.SMS):
        if lines and not words[:1].isdigit() and not lines[-1][:1].isdigit():
            lines[-1] = f"{lines[-1]} {words}"  # prose runs on; options stand alone
        else:
            lines.append(words)
    return "\n".join(lines)
