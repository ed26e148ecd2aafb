"""The error envelope of ``core.errors`` as an OpenAPI schema, for an operation whose
documented error status may carry either its own body or the envelope."""

from __future__ import annotations

from ninja import Schema


class ErrorProblemOut(Schema):
    code: str
    message: str
    field: str | None = None
    row: int | None = None


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
    errors: list[ErrorProblemOut] | None = None
