"""API models for the coverage forecast."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from matching.coverage import GapSpan, HourCover
from usecases.coverage import CoverageForecast


class HourOut(BaseModel):
    start: datetime
    on_shift: int = Field(description="supporters who could take a call in this hour")
    by_role_group: dict[str, int]
    by_language: dict[str, int]
    gaps: list[str] = Field(description='e.g. "no Spanish speaker on shift"')

    @classmethod
    def of(cls, h: HourCover) -> HourOut:
        return cls(
            start=h.start,
            on_shift=len(h.on_shift),
            by_role_group=h.by_group,
            by_language=h.by_language,
            gaps=[g.label for g in h.gaps],
        )


class SuggestionOut(BaseModel):
    supporter_id: str
    name: str
    minutes_this_month: int


class GapOut(BaseModel):
    kind: str = Field(description="role_group, language or few")
    what: str = Field(description="the role group, the language code or the minimum")
    label: str
    start: datetime
    end: datetime
    suggestions: list[SuggestionOut] = Field(
        description="whom to ask: off shift then, able to close the gap, least used first"
    )

    @classmethod
    def of(cls, g: GapSpan, names: dict[str, str]) -> GapOut:
        return cls(
            kind=g.gap.kind.value,
            what=g.gap.what,
            label=g.gap.label,
            start=g.start,
            end=g.end,
            suggestions=[
                SuggestionOut(
                    supporter_id=c.id,
                    name=names.get(c.id, c.first_name),
                    minutes_this_month=c.minutes_this_month,
                )
                for c in g.suggestions
            ],
        )


class ChainOut(BaseModel):
    start: datetime
    end: datetime
    coordinators: list[str] = Field(description="paging order in these hours, first paged first")


class CoverageOut(BaseModel):
    start: datetime = Field(description="today's midnight in the program's time zone")
    min_on_shift: int
    role_groups_required: list[str]
    languages_required: list[str]
    hours: list[HourOut]
    gaps: list[GapOut]
    on_call: list[ChainOut]

    @classmethod
    def of(cls, f: CoverageForecast) -> CoverageOut:
        return cls(
            start=f.start,
            min_on_shift=f.rules.min_on_shift,
            role_groups_required=list(f.rules.role_groups),
            languages_required=[lang.value for lang in f.rules.languages],
            hours=[HourOut.of(h) for h in f.hours],
            gaps=[GapOut.of(g, f.names) for g in f.gaps],
            on_call=[
                ChainOut(start=c.start, end=c.end, coordinators=list(c.names)) for c in f.chain
            ],
        )
