"""The keys a caller presses through the voice intake, for tests that walk it by phone."""

from __future__ import annotations

# English, nurse, today, any organization, call me back, as soon as possible, any role, no
# follow-up text.
CALLBACK_NURSE_TODAY = ["1", "1", "1", "3", "2", "1", "1", "2"]
# English, nurse, today, any organization, I'll hold, no follow-up text.
HOLD_NURSE_TODAY = ["1", "1", "1", "3", "1", "2"]
