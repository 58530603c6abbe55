"""Logging with a redaction filter: no phone number, body, digits or place ever reaches a log."""

from __future__ import annotations

import logging
import re
import sys

from ivr.redaction import redact_numbers

_FIELDS = re.compile(
    r"\b(From|To|Caller|Called|Body|Digits|SpeechResult|"
    r"(?:From|To|Caller|Called)(?:City|State|Zip|Country))=([^&\s,]*)"
)


def redact(text: str) -> str:
    """Webhook fields that name a person, and phone numbers (``ivr.redaction``); a
    timestamp or an id keeps its digits."""
    text = _FIELDS.sub(lambda m: f"{m.group(1)}=[redacted]", text)
    return redact_numbers(text)


class RedactingFilter(logging.Filter):
    """Rewrites every record's final message; attached to handlers, so it sees all loggers."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info or record.exc_text:
            # Another handler may have cached the unredacted traceback already.
            trace = record.exc_text or logging.Formatter().formatException(record.exc_info)  # type: ignore[arg-type]
            record.exc_text = redact(trace)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record is emitted, not when it was built:
    a stream swapped out later (a test's capture, a daemon's redirect) is never written
    after it is closed."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def configure(level: str = "INFO") -> None:
    """Root logging for a Peerline process (called by the CLI, never at import)."""
    handler = StderrHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)  # headers per request
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "rq.worker"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
