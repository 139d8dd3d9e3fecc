"""DMSU desk: the web site of a second-line software support unit."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from dmsu.core.config import ROOT


def create_app(config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the application: config, database, extensions, blueprints, CLI, jobs."""
    from dmsu import web
    from dmsu.auth import passwords
    from dmsu.cli import register_cli
    from dmsu.core import config as settings
    from dmsu.core import db
    from dmsu.core.cache import pages as pagecache
    from dmsu.core.extensions import csrf, htmx, limiter, login_manager

    app = Flask(
        __name__,
        instance_path=str(instance_path or ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    settings.load(app, config)
    db.init_app(app)
    passwords.configure(app.config["DMSU_ARGON2_TIME_COST"], app.config["DMSU_ARGON2_MEMORY_COST"])

    csrf.init_app(app)
    htmx.init_app(app)
    app.config["RATELIMIT_STORAGE_URI"] = app.config["DMSU_RATELIMIT_STORAGE_URI"]
    if app.config["DMSU_PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["DMSU_PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    # Redis down: each worker counts in its own memory until it is back (never a 500, never
    # no limit at all)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    # a moving window: ten failures within any minute, not per clock minute (a fixed window
    # let a guesser make twice the limit across a minute's boundary)
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    limiter.init_app(app)
    # The only limit is the login form's, checked by its decorator: the extension's check of
    # every request for default limits (there are none) cost more than a small page.
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str):
        from dmsu.auth.accounts import session_user
        from dmsu.auth.loader import active_user

        return session_user(session_id, active_user)

    web.init_app(app)
    _template_bytecode(app)
    _register_blueprints(app)
    register_cli(app)
    if app.config.get("DMSU_OIDC_ENABLED"):
        from dmsu.auth import oidc

        oidc.init_app(app)
    from dmsu import jobs

    jobs.init_app(app)
    pagecache.init_app(app)
    return app


def _template_bytecode(app: Flask) -> None:
    """Keep compiled templates in the instance folder, so a new worker loads them instead of
    compiling each template again on its first request (Jinja checks each template's source
    before using its cached code)."""
    from jinja2 import FileSystemBytecodeCache

    folder = Path(app.instance_path) / "jinja"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only instance folder: compile in memory as before
        return
    app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(folder))


def _register_blueprints(app: Flask) -> None:
    """Register every area's blueprint. An area whose routes span several view modules defines
    its blueprint once in ``blueprint.py``, and each view module adds its routes to it when it
    is imported; so the view modules are imported here, by name, before any blueprint is
    registered. (A ``blueprint.py`` that imported its own view modules would import itself
    back through them: a cycle.)"""
    import dmsu.api.about  # noqa: F401
    import dmsu.api.cheatsheet  # noqa: F401
    import dmsu.api.search  # noqa: F401
    import dmsu.api.tickets  # noqa: F401
    import dmsu.api.wiki  # noqa: F401
    import dmsu.cheatsheet.edit_views  # noqa: F401
    import dmsu.cheatsheet.views  # noqa: F401
    import dmsu.digests.edit_views  # noqa: F401
    import dmsu.digests.rota_views  # noqa: F401
    import dmsu.digests.views  # noqa: F401
    import dmsu.forums.views  # noqa: F401
    import dmsu.helpdesk.views  # noqa: F401
    import dmsu.metrics.recommendation_views  # noqa: F401
    import dmsu.metrics.views  # noqa: F401
    import dmsu.repositories.views  # noqa: F401
    import dmsu.requirements.tcb_views  # noqa: F401
    import dmsu.requirements.views  # noqa: F401
    import dmsu.wiki.attachment_views  # noqa: F401
    import dmsu.wiki.browse_views  # noqa: F401
    import dmsu.wiki.history_views  # noqa: F401
    import dmsu.wiki.views  # noqa: F401
    from dmsu.api.blueprint import bp as api_bp
    from dmsu.auth.views import bp as auth_bp
    from dmsu.cheatsheet.blueprint import bp as cheatsheet_bp
    from dmsu.digests.blueprint import bp as digests_bp
    from dmsu.forums.blueprint import bp as forums_bp
    from dmsu.helpdesk.blueprint import bp as helpdesk_bp
    from dmsu.metrics.blueprint import bp as metrics_bp
    from dmsu.repositories.blueprint import bp as repositories_bp
    from dmsu.requirements.blueprint import bp as requirements_bp
    from dmsu.search.views import bp as search_bp
    from dmsu.tickets.pages.sweep_views import bp as sweep_bp
    from dmsu.tickets.pages.views import bp as tickets_bp
    from dmsu.web import home_bp
    from dmsu.wiki.blueprint import bp as wiki_bp

    for bp in (home_bp, auth_bp, cheatsheet_bp, tickets_bp, sweep_bp, wiki_bp, digests_bp):
        app.register_blueprint(bp)
    app.register_blueprint(requirements_bp)
    app.register_blueprint(metrics_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(helpdesk_bp)
    app.register_blueprint(forums_bp)
    app.register_blueprint(repositories_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
