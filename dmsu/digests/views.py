"""Public views of the digests area: the archive, one page per digest, the Atom feed and the
operations digest (thin: parse the request, call the logic, render).

The editing views are in :mod:`dmsu.digests.edit_views`, the rota's in
:mod:`dmsu.digests.rota_views`; all hang on this blueprint.
"""

from __future__ import annotations

import hashlib
from itertools import groupby

from flask import Response, abort, current_app, render_template, request
from flask_login import current_user
from peewee import JOIN

from dmsu.auth.models import User
from dmsu.core import clock
from dmsu.core.cache.pages import public_page
from dmsu.digests import cache, feeds, operations
from dmsu.digests.blueprint import bp
from dmsu.digests.drafting import DigestError, checked_week, entries_of
from dmsu.digests.models import Digest, DigestRevision, sees_drafts
from dmsu.digests.publishing import digest_title, ticket_url, week_span
from dmsu.digests.schedule import previous_week

_LIST_FIELDS = (
    Digest.id,
    Digest.week,
    Digest.year,
    Digest.state,
    Digest.published_at,
    Digest.revised_at,
    Digest.revision,
    Digest.version,
    Digest.published_version,
)


def not_found(message: str):
    """A 404 that says in one sentence what is missing."""
    page = render_template("errors/error.html", code=404, message=message)
    abort(current_app.make_response((page, 404)))


def week_or_404(week: str) -> str:
    try:
        return checked_week(week)
    except DigestError as exc:
        not_found(str(exc))


@bp.get("/digests/")
@public_page("digests")
def index(error: str | None = None, week_value: str = "", status: int = 200):
    """The archive by year and week, newest first (published only for public readers)."""
    digests = list(
        Digest.visible_to(current_user, *_LIST_FIELDS)
        .select_extend(User.username, User.display_name)
        .join(User, JOIN.LEFT_OUTER, on=(Digest.author == User.id))
        .order_by(Digest.week.desc())
        .objects()
    )
    years = [(year, list(items)) for year, items in groupby(digests, key=lambda d: d.year)]
    body = render_template(
        "digests/index.html",
        years=years,
        span=week_span,
        next_week=previous_week(clock.now()),
        error=error,
        week_value=week_value,
    )
    return body, status


_PUBLIC_FIELDS = (
    Digest.id,
    Digest.week,
    Digest.state,
    Digest.revision,
    Digest.version,
    Digest.published_version,
    Digest.published_at,
    Digest.revised_at,
    Digest.public_html,
)


def _digest_query(week: str, public_view: bool):
    """The digest of ``week`` as the viewer may see it: for a public reader only the columns
    the page serves (its stored HTML), for staff with the author's name."""
    if public_view:
        query = Digest.select(*_PUBLIC_FIELDS).where(
            (Digest.week == week) & (Digest.state == "published")
        )
        return query.first()
    return (
        Digest.visible_to(current_user)
        .select_extend(User.username, User.display_name)
        .join(User, JOIN.LEFT_OUTER, on=(Digest.author == User.id))
        .where(Digest.week == week)
        .objects()
        .first()
    )


def _revisions(digest: Digest) -> list:
    """The revision list; immutable once the digest has that revision, so cached by it."""
    key = ("revisions", digest.week, digest.revision)
    found = cache.get(key)
    if found is None:
        found = list(
            DigestRevision.select(
                DigestRevision.number, DigestRevision.created_at, DigestRevision.note
            )
            .where(DigestRevision.digest == digest.id)
            .order_by(DigestRevision.number.desc())
        )
        cache.put(key, found)
    return found


def _not_modified(etag: str, moment) -> bool:
    if request.if_none_match.contains_weak(etag):
        return True
    since = request.if_modified_since
    return bool(since and moment and since >= moment.replace(microsecond=0))


def _conditional(response, etag: str, moment):
    response.set_etag(etag, weak=True)
    if moment is not None:
        response.last_modified = moment
    response.cache_control.no_cache = True
    response.vary.add("Cookie")
    return response


@bp.get("/digests/<week>")
@public_page("digests")
def show(week: str):
    """One digest: its current published revision as stored (one query for a public reader,
    two when it was corrected); staff also see drafts and unpublished changes."""
    week = week_or_404(week)
    public_view = not sees_drafts(current_user)
    digest = _digest_query(week, public_view)
    if digest is None:
        not_found(f"There is no published digest of {week}.")
    etag = f"d-{week}-r{digest.revision}"
    if public_view and _not_modified(etag, digest.last_published_at):
        return _conditional(current_app.response_class(status=304), etag, digest.last_published_at)
    revisions = _revisions(digest) if digest.revision > 1 or not public_view else []
    draft_html = None
    if not public_view and (not digest.is_published or digest.has_unpublished_changes):
        from dmsu.digests.publishing import compose

        draft_html = compose(digest, entries_of(digest), current_app.config)[0]
    response = current_app.make_response(
        render_template(
            "digests/show.html",
            digest=digest,
            title=digest_title(week),
            revisions=revisions,
            draft_html=draft_html,
            body_html=digest.public_html,
            shown_revision=None,
        )
    )
    if public_view:
        _conditional(response, etag, digest.last_published_at)
    return response


@bp.get("/digests/<week>/revisions/<int:number>")
@public_page("digests")
def revision(week: str, number: int):
    """One published revision of a digest, as it was published."""
    week = week_or_404(week)
    digest = _digest_query(week, not sees_drafts(current_user))
    if digest is None:
        not_found(f"There is no published digest of {week}.")
    shown = DigestRevision.get_or_none(
        (DigestRevision.digest == digest.id) & (DigestRevision.number == number)
    )
    if shown is None:
        not_found(f"The digest of {week} has no revision {number}.")
    return render_template(
        "digests/show.html",
        digest=digest,
        title=digest_title(week),
        revisions=[],
        draft_html=None,
        body_html=shown.html,
        shown_revision=shown,
    )


@bp.get("/digests/feed.atom")
@public_page("digests")
def feed():
    """The Atom feed of the published digests: one narrow query says what it is made of; the
    document itself is cached by that (a new revision makes a new one)."""
    digests = feeds.published_for_feed(with_html=False)
    stamp = feeds.feed_stamp(digests)
    etag = "f-" + hashlib.sha256(stamp.encode()).hexdigest()[:20]
    moment = feeds.last_modified(digests)
    if _not_modified(etag, moment):
        response = current_app.response_class(status=304)
    else:
        key = ("feed", stamp, current_app.config["DMSU_BASE_URL"])
        document = cache.get(key)
        if document is None:
            document = feeds.atom_feed(feeds.published_for_feed(), current_app.config)
            cache.put(key, document)
        response = Response(document, mimetype="application/atom+xml")
    response.set_etag(etag, weak=True)
    if moment is not None:
        response.last_modified = moment
    response.cache_control.no_cache = True
    response.cache_control.public = True
    return response


def _problems_context():
    problems = operations.open_broad_impact_problems()
    title = f"Open problems of broad impact — DMSU, {clock.now():%Y-%m-%d}"

    def link(ggus_id):
        return ticket_url(current_app.config, ggus_id)

    return problems, title, link


@bp.get("/digests/operations")
def operations_page():
    """Seed 001: "symptoms, impact, and possible workarounds are documented and the issues are
    reported to the regular Operations meetings"."""
    problems, title, link = _problems_context()
    total = len(problems)
    if total >= operations.LIMIT:
        total = operations.count_open_broad_impact()
    return render_template(
        "digests/operations.html", problems=problems, title=title, ticket_url=link, total=total
    )


@bp.get("/digests/operations.md")
def operations_markdown():
    problems, title, link = _problems_context()
    text = operations.as_markdown(problems, ticket_url=link, title=title)
    return Response(text, mimetype="text/markdown")


@bp.get("/digests/operations.txt")
def operations_text():
    problems, title, link = _problems_context()
    text = operations.as_text(problems, ticket_url=link, title=title)
    return Response(text, mimetype="text/plain")
