"""One page of a list, with enough to fetch the next."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

MAX_LIMIT = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    limit: int
    offset: int

    @property
    def next_offset(self) -> int | None:
        following = self.offset + len(self.items)
        return following if following < self.total and self.items else None


def bounded(limit: int, offset: int) -> tuple[int, int]:
    """``limit`` clipped to 1..MAX_LIMIT and ``offset`` to 0 or more."""
    return max(1, min(limit, MAX_LIMIT)), max(0, offset)
