"""Cross-cutting web behaviour: security headers, error pages, the schema guard, home."""

from __future__ import annotations

import re

import peewee
from flask import (
    Blueprint,
    Request,
    Response,
    current_app,
    g,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

import dmsu.core.cache.registry as registry
from dmsu.auth.permissions import PermissionDenied, can
from dmsu.core import clock, schema
from dmsu.core.cache.pages import public_page
from dmsu.core.cache.staff import staff_page
from dmsu.core.clock import html_datetime
from dmsu.core.db import connection_problem, discard_connection, driver_answer, open_connection
from dmsu.core.once import once_field
from dmsu.tickets.oversight.groups import Settings
from dmsu.tickets.pages.home import staff_home

home_bp = Blueprint("home", __name__)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _without_controls(values: MultiDict) -> MultiDict:
    if not any(isinstance(v, str) and _CONTROL.search(v) for _, v in values.items(multi=True)):
        return values
    cleaned = [(k, _CONTROL.sub("", v)) for k, v in values.items(multi=True)]
    return type(values)(cleaned)


class CleanRequest(Request):
    """Form fields and query values arrive without NUL and other control characters (tabs
    and newlines stay): no user text needs them, and PostgreSQL refuses NUL in text (a form
    with one answered 500)."""

    @cached_property
    def args(self) -> MultiDict:
        return _without_controls(super().args)

    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.__dict__["form"] = _without_controls(self.__dict__["form"])


class RowIdConverter(IntegerConverter):
    """``<int:...>`` in every route: a whole number that a row id or a GGUS number can be
    (PostgreSQL's ``integer``, below 2**31), so a longer one is a 404 like any missing row
    instead of an error of the database driver ("ids beyond 64 bits" answered 500)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions ("sessions in signed cookies"), with the signing
    serializer made once per key instead of twice per request, and nothing to verify for a
    request without a session cookie (every anonymous reader)."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, object] = {}

    def get_signing_serializer(self, app):
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        found = self._serializers.get(key)
        if found is None:
            found = super().get_signing_serializer(app)
            if found is not None:
                self._serializers = {key: found}
        return found

    def open_session(self, app, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@home_bp.get("/")
@public_page()
def index():
    """The public home for readers; staff land on their work (issue 18)."""
    if can(current_user, "ticket.view"):
        return _staff_home()
    return render_template("home.html")


@staff_page
def _staff_home():
    settings = Settings.from_config(current_app.config, clock.now())
    return render_template("home_staff.html", home=staff_home(current_user, settings))


@home_bp.get("/favicon.ico")
def favicon():
    return Response(status=204)


@home_bp.get("/healthz")
def healthz():
    problem = connection_problem()
    if problem:
        return jsonify(status="error", message=problem), 503
    return jsonify(status="ok")


# The main navigation (the conventions a reader's tools rely on): endpoint, label, shown to anonymous readers.
NAV = (
    ("cheatsheet.index", "Cheat sheet", True),
    ("tickets.index", "Tickets", False),
    ("sweep.index", "Sweep", False),
    ("wiki.index", "Wiki", True),
    ("digests.index", "Digests", True),
    ("requirements.index", "Requirements", False),
    ("forums.index", "Forums", False),
    ("metrics.index", "Metrics", True),
)
_URLS = registry.Cache("web.urls", max_entries=256)


def fixed_url(endpoint: str, **values) -> str:
    """``url_for`` for addresses that never change while the app runs (the navigation, static
    files), built once per app and mount point: a page has a dozen of them."""
    key = (request.script_root, endpoint, *sorted(values.items()))
    return _URLS.cached(key, lambda: url_for(endpoint, **values))


def nav_items(authenticated: bool) -> list[tuple[str, str, str]]:
    """(address, label, blueprint) of the main navigation for this reader."""
    return [
        (fixed_url(endpoint), label, endpoint.split(".", 1)[0])
        for endpoint, label, public in NAV
        if public or authenticated
    ]


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app) -> None:
    app.session_interface = SessionCookies()
    app.url_map.converters["int"] = RowIdConverter  # before any route is added

    app.request_class = CleanRequest

    @app.context_processor
    def _template_helpers():
        return {"can": lambda permission: can(current_user, permission)}

    app.add_template_global(fixed_url)
    app.add_template_global(once_field)
    app.add_template_global(nav_items)
    app.add_template_filter(html_datetime)

    @app.before_request
    def _schema_guard():
        if request.endpoint in {"static", "home.favicon", "home.healthz"}:
            return None
        problem = open_connection()
        if problem is None and not app.extensions.get("dmsu_schema_ready"):
            if schema.schema_ready():
                app.extensions["dmsu_schema_ready"] = True
            else:
                problem = schema.MISSING_SCHEMA
        if problem:
            return _unavailable(problem)
        return None

    def _unavailable(message: str):
        """The 503 answer; the layout must not load the logged-in user from the unreachable
        database (that raised again and gave a 500 during a PostgreSQL restart)."""
        g._login_user = app.login_manager.anonymous_user()
        if _wants_json():
            return jsonify(error=message), 503
        return render_template("errors/error.html", code=503, message=message), 503

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if app.config["DMSU_HTTPS"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        response.vary.add("HX-Request")
        if current_user and getattr(current_user, "is_authenticated", False):
            response.vary.add("Cookie")
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response

    @app.errorhandler(PermissionDenied)
    def _permission_denied(exc):
        if _wants_json():
            return jsonify(error=str(exc)), 403
        return render_template("errors/error.html", code=403, message=str(exc)), 403

    @app.errorhandler(peewee.DatabaseError)
    @app.errorhandler(peewee.InterfaceError)  # not a DatabaseError in peewee
    def _database_error(exc):
        answer = driver_answer(exc)
        if answer is None:
            return _server_error(exc)
        status, message = answer
        app.logger.warning("database error on %s (%s): %s", request.path, status, exc)
        if status == 503:
            discard_connection()
            return _unavailable(message)
        if _wants_json():
            return jsonify(error=message), status
        return render_template("errors/error.html", code=status, message=message), status

    @app.errorhandler(CSRFError)
    def _csrf_error(exc):
        message = (
            "The form expired or was sent from another site; reload the page and send it again."
        )
        if _wants_json():
            return jsonify(error=message), 400
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def _http_error(exc):
        if _wants_json():
            return jsonify(error=exc.description or exc.name), exc.code
        messages = {
            403: "You are not allowed to see or do this.",
            404: "There is no page at this address.",
            405: "This address does not take that kind of request.",
            429: "Too many attempts; wait a minute and try again.",
        }
        message = messages.get(exc.code, exc.description or exc.name)
        return render_template("errors/error.html", code=exc.code, message=message), exc.code

    @app.errorhandler(Exception)
    def _server_error(exc):
        if isinstance(exc, HTTPException):
            return _http_error(exc)
        app.logger.exception("unhandled error on %s", request.path)
        message = "Something went wrong on our side; the error was logged."
        if _wants_json():
            return jsonify(error=message), 500
        return render_template("errors/error.html", code=500, message=message), 500
