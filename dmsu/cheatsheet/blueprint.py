"""The cheatsheet pages' blueprint, defined once: its routes are in ``views.py`` and in
``edit_views.py``, each importing this blueprint; the app imports them all before
registering it."""

from flask import Blueprint

bp = Blueprint("cheatsheet", __name__)
