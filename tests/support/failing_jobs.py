"""A job whose exception names phone numbers, as a carrier or database error might."""

from __future__ import annotations


def fail_naming_a_number(request_id: str) -> None:
    raise RuntimeError(
        f"call back for {request_id} to +16175551234 failed; tried (617) 555-1234 at 14:21:54"
    )
