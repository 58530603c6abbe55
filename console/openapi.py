"""The OpenAPI 3.1 document, generated from the ``Operation`` list and its pydantic models."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from console.api import PREFIX, Operation
from console.problems import MEDIA_TYPE, Problem

_REF = "#/components/schemas/{model}"


def document(
    operations: list[Operation], *, title: str, version: str, cookie: str
) -> dict[str, Any]:
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(Problem, "serialization")]
    for op in operations:
        if op.body:
            wanted.append((op.body, "validation"))
        if op.response:
            wanted.append((op.response, "serialization"))
    unique = list(dict.fromkeys(wanted))
    refs, schemas = models_json_schema(unique, ref_template=_REF)
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        item = paths.setdefault(PREFIX + op.path, {})
        item[op.method.lower()] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": version,
            "description": "The coordinator console's API. Errors are RFC 9457 problem details.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": cookie},
            },
        },
    }


def _operation(op: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": _parameters(op),
        "responses": _responses(op, refs),
        "security": [{"bearerAuth": []}, {"sessionCookie": []}] if op.role else [],
    }
    if op.description:
        spec["description"] = op.description
    if op.role:
        spec["x-peerline-role"] = str(op.role)
    if op.body:
        spec["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
        }
    spec.update(op.extra)
    return spec


def _parameters(op: Operation) -> list[dict[str, Any]]:
    params = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"{(\w+)}", op.path)
    ]
    if op.query:
        schema = op.query.model_json_schema(ref_template=_REF)
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            entry = {"name": name, "in": "query", "required": name in required, "schema": prop}
            if "description" in prop:
                entry["description"] = prop["description"]
            params.append(entry)
    return params


def _responses(op: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
    status = op.status if op.response or op.media_type != "application/json" else 204
    ok: dict[str, Any] = {"description": HTTPStatus(status).phrase}
    if op.response:
        ok["content"] = {op.media_type: {"schema": refs[(op.response, "serialization")]}}
    elif op.media_type != "application/json":
        ok["content"] = {op.media_type: {"schema": {"type": "string"}}}
    responses: dict[str, Any] = {str(status): ok}
    problem_ref = refs[(Problem, "serialization")]
    for code in op.error_statuses():
        responses[str(code)] = {
            "description": HTTPStatus(code).phrase,
            "content": {MEDIA_TYPE: {"schema": problem_ref}},
        }
    return responses
