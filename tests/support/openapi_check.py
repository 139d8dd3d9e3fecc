"""Checking a real API answer against the OpenAPI document's description of it."""

from __future__ import annotations

import jsonschema_rs


def inline_refs(schema, document):
    """Resolve ``#/components/schemas/...`` references (the schemas are not recursive)."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            return inline_refs(document["components"]["schemas"][name], document)
        return {key: inline_refs(value, document) for key, value in schema.items()}
    if isinstance(schema, list):
        return [inline_refs(item, document) for item in schema]
    return schema


def check_answer(document, path, method, response):
    described = document["paths"][path][method]["responses"][str(response.status_code)]
    schema = inline_refs(described["content"]["application/json"]["schema"], document)
    errors = [
        str(e) for e in jsonschema_rs.Draft202012Validator(schema).iter_errors(response.get_json())
    ]
    assert not errors, errors
