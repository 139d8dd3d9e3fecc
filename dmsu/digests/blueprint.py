"""The digests pages' blueprint, defined once: its routes are in ``views.py`` and in
``edit_views.py``, ``rota_views.py``, each importing this blueprint; the app imports them all before
registering it."""

from flask import Blueprint

bp = Blueprint("digests", __name__)
