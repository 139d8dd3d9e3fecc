"""The ceiling: a bare Flask app that returns a fixed small page, run under the same gunicorn
settings as the site, so every page's speed is reported as a ratio to Flask itself."""

from flask import Flask

app = Flask(__name__)
PAGE = (
    "<!doctype html><html lang=en><head><meta charset=utf-8><title>Ceiling</title></head>"
    "<body><h1>Ceiling</h1><p>" + "A fixed small page. " * 40 + "</p></body></html>"
)


@app.get("/")
def index():
    return PAGE
