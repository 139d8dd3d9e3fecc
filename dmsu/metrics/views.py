"""Views of the metrics area (thin: parse the request, call the logic, render)."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("metrics", __name__)


@bp.get("/metrics/")
def index():
    return render_template("metrics/index.html")
