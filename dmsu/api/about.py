"""The API's own description: its name and version, and its OpenAPI document."""

from __future__ import annotations

from flask import jsonify

from dmsu.api import openapi
from dmsu.api.blueprint import bp


@bp.get("/")
def index():
    return jsonify(name="DMSU desk API", version=1)


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document())
