"""Views of the tickets area (thin: parse the request, call the logic, render)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("tickets", __name__)


@bp.get("/tickets/")
@login_required
def index():
    return render_template("tickets/index.html")
