"""When Peerline may call a caller: the window they chose, and the program's quiet hours. Pure.

A caller who asked for "as soon as possible" (or who is holding on the line) may be called
at any hour: they asked for now. A caller who chose a window ("in the afternoon") is called
in that window of the program's time zone, never earlier because a supporter happens to be
on shift at 4 a.m. Every other call to a caller (a window, "text me first") also keeps out
of the quiet hours (default 21:00-08:00 local), whatever the window says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from ivr.model import CallbackWindow, ContactMode
from matching.availability import next_window, require_aware

_LOOK_AHEAD = 8  # days: every window recurs daily, so a week and a day always finds one


@dataclass(frozen=True)
class QuietHours:
    """[start, end) in local wall-clock time; an end at or before the start runs past
    midnight (21:00-08:00). start == end means no quiet hours."""

    start: time = time(21)
    end: time = time(8)

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """``"21:00-08:00"``; empty means none."""
        if not text.strip():
            return cls(time(0), time(0))
        first, _, last = text.partition("-")
        return cls(time.fromisoformat(first.strip()), time.fromisoformat(last.strip()))

    def covers(self, local: datetime) -> bool:
        now = local.time().replace(tzinfo=None)
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end

    def over_at(self, local: datetime) -> datetime:
        """The end of the quiet hours that cover ``local`` (``local`` itself if none do)."""
        if not self.covers(local):
            return local
        day = local.date()
        if self.start > self.end and local.time().replace(tzinfo=None) >= self.start:
            day += timedelta(days=1)
        return datetime.combine(day, self.end, tzinfo=local.tzinfo)


@dataclass(frozen=True)
class CallingHours:
    """The program's time zone and quiet hours: when each caller may be called."""

    zone: ZoneInfo
    quiet: QuietHours = QuietHours()

    def earliest(self, now: datetime, mode: ContactMode, window: CallbackWindow | None) -> datetime:
        """The first moment at or after ``now`` when Peerline may call this caller; ``now``
        itself when it may call now."""
        now = require_aware(now)
        if mode is ContactMode.HOLD or window is CallbackWindow.ASAP:
            return now
        local = now.astimezone(self.zone)
        if window is None:  # "text me first": any hour outside the quiet ones
            return self.quiet.over_at(local)
        moment = local
        for _ in range(_LOOK_AHEAD):
            start, end = next_window(moment, window, self.zone)
            start = self.quiet.over_at(start)
            if start < end:
                return now if start <= local else start
            moment = end  # this window is all quiet hours: the next day's
        return next_window(local, window, self.zone)[0]  # a window wholly inside quiet hours

    def may_call(self, now: datetime, mode: ContactMode, window: CallbackWindow | None) -> bool:
        return self.earliest(now, mode, window) <= now
