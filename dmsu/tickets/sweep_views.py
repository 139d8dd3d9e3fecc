"""The open-ticket sweep, the shift's duty page and the admin's outbox (thin views)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("sweep", __name__)


@bp.get("/sweep")
@login_required
def index():
    return render_template("sweep/index.html")
