"""Endpoint: the coverage forecast (next 7 days by hour, gaps, whom to ask, on call)."""

from __future__ import annotations

from console.api import Call, Operation
from console.schemas_coverage import CoverageOut


def _coverage(call: Call) -> CoverageOut:
    return CoverageOut.of(call.console.coverage.forecast(call.actor))


OPERATIONS = [
    Operation(
        "GET",
        "/coverage",
        _coverage,
        "The next 7 days by hour: supporters who could take a call by role group and "
        "language, gaps, whom to ask to cover each, the on-call coordinators",
        "reports",
        response=CoverageOut,
    ),
]
