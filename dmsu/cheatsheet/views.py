"""Views of the cheatsheet area (thin: parse the request, call the logic, render)."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("cheatsheet", __name__)


@bp.get("/cheatsheet/")
def index():
    return render_template("cheatsheet/index.html")
