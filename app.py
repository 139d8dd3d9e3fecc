"""Entry point: ``flask --app app ...`` and ``gunicorn app:app``."""

from dmsu import create_app

app = create_app()
