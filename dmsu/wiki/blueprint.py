"""The wiki pages' blueprint, defined once: its routes are in ``views.py`` and in
``attachment_views.py``, ``browse_views.py``, ``history_views.py``, each importing this blueprint; the app imports them all before
registering it."""

from flask import Blueprint

bp = Blueprint("wiki", __name__)
