"""The promise made to a caller as a coordinator needs to see it: when the request is due,
and when the caller may actually be called (their call-back window, the quiet hours).

The board shows it (``usecases.board``); a coordinator's hand-assign is held to it
(``usecases.board_actions``), as dispatch is (``matching.calling``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ivr.model import CallbackWindow, ContactMode
from matching.availability import next_window
from matching.calling import CallingHours
from matching.sla import ClosedDays, promised_by
from storage.records import RequestRecord


@dataclass(frozen=True)
class Promise:
    due_by: datetime  # the service level, or the end of the caller's window if later
    calls_from: datetime | None  # the caller may not be called before this; None: now
    text: str  # "calls back in the afternoon window from 12:00", "due by 14:35"


class Promises:
    def __init__(
        self,
        zone: ZoneInfo,
        holidays: ClosedDays = (),
        calling: CallingHours | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.zone, self.holidays, self.calling, self.clock = zone, holidays, calling, clock

    def of(self, request: RequestRecord, now: datetime | None = None) -> Promise:
        """What the caller was promised, and when they may be called, seen at ``now``."""
        now = now or self.clock()
        window = _window(request)
        due = promised_by(request.created_at, request.urgency, window, self.zone, self.holidays)
        due = due.astimezone(UTC)
        when = self.earliest(request, now)
        if when > now:
            return Promise(due, when.astimezone(UTC), self._later(window, when, now))
        if window is not None:
            end = next_window(now, window, self.zone)[1]
            text = f"calls back in the {window} window, open until {self._at(end, now)}"
            return Promise(due, None, text)
        return Promise(due, None, f"due by {self._at(due, now)}")

    def earliest(self, request: RequestRecord, now: datetime) -> datetime:
        """The first moment at or after ``now`` the caller may be called (``now``: at once)."""
        if self.calling is None:
            return now
        return self.calling.earliest(now, request.contact_mode, request.callback_window)

    def _later(self, window: CallbackWindow | None, when: datetime, now: datetime) -> str:
        if window is not None:
            return f"calls back in the {window} window from {self._at(when, now)}"
        return f"calls after the quiet hours, from {self._at(when, now)}"

    def _at(self, moment: datetime, now: datetime) -> str:
        """``14:35`` today, ``Wed 14:35`` on another day (program time)."""
        local, today = moment.astimezone(self.zone), now.astimezone(self.zone).date()
        clock = local.strftime("%H:%M")
        return clock if local.date() == today else f"{local:%a} {clock}"


def _window(request: RequestRecord) -> CallbackWindow | None:
    """The caller's window, if they asked for one (not "as soon as possible")."""
    if request.contact_mode is not ContactMode.CALLBACK:
        return None
    window = request.callback_window
    return None if window is None or window is CallbackWindow.ASAP else window
