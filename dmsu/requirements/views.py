"""Views of the requirements area (thin: parse the request, call the logic, render)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("requirements", __name__)


@bp.get("/requirements/")
@login_required
def index():
    return render_template("requirements/index.html")
