"""Saving wiki pages: every save is a revision, and no edit is ever silently overwritten.

The edit form carries the revision it started from (``base_revision``). A save claims the
next number with one conditional UPDATE (``... WHERE id = ? AND revision_number = base``)
inside the transaction; if the row count is 0 someone else saved in between and the save is
refused with :class:`EditConflict`. The unique index on (page, number) of
:class:`~dmsu.wiki.models.Revision` is the second guard. Every write of the wiki runs in
:func:`dmsu.core.db.write_transaction` for the area ``wiki``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from peewee import IntegrityError, fn

from dmsu.auth.permissions import require
from dmsu.core import clock
from dmsu.core.db import write_transaction
from dmsu.core.markdown import TEXT_LIMITS, MarkdownRefused, slugify
from dmsu.wiki import links, search_documents
from dmsu.wiki.models import VISIBILITIES, Page, PageTag, Revision
from dmsu.wiki.public_check import check_public_page

TITLE_MAX = 200
SUMMARY_MAX = 300
MARKDOWN_MAX = TEXT_LIMITS["wiki page"]
TAG_MAX = 40
TAGS_PER_PAGE = 12
# Addresses the wiki itself uses under /wiki/; no page may take them.
RESERVED_SLUGS = frozenset({"new", "search", "changes", "preview", "tags", "help", "files"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class PageError(ValueError):
    """Bad input for a page; the message is one sentence for the form."""

    def __init__(self, message: str, field: str = "title") -> None:
        super().__init__(message)
        self.field = field


class EditConflict(Exception):
    """Someone saved the page after ``base``: ``current`` is the page's latest revision."""

    def __init__(self, page: Page, base: Revision | None, current: Revision) -> None:
        super().__init__(
            f"{current.author.name if current.author else 'Someone'} saved this page "
            f"(revision {current.number}) after you started editing; your text was not saved."
        )
        self.page, self.base, self.current = page, base, current


@dataclass(frozen=True)
class Draft:
    """What an editor sends: the page as they want it, and why (``summary``)."""

    title: str
    markdown: str
    visibility: str = "internal"
    tags: str = ""
    summary: str = ""
    component_id: int | None = None
    ticket_id: int | None = None


def normalise_tags(raw: str) -> list[str]:
    """Tags separated by commas ("cream, known issue") or else by spaces; each made a slug."""
    raw = raw or ""
    tags: list[str] = []
    for part in raw.split(",") if "," in raw else raw.split():
        tag = slugify(part)[:TAG_MAX].strip("-")
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def clean(draft: Draft) -> Draft:
    """Check a draft; raise :class:`PageError` with one sentence, or return it tidied."""
    title = " ".join(_CONTROL.sub(" ", draft.title or "").split())
    if not title:
        raise PageError("Give the page a title.")
    if len(title) > TITLE_MAX:
        raise PageError(f"A title can have at most {TITLE_MAX} characters.")
    slug = slugify(title)
    if not slug:
        raise PageError(
            "The title needs at least one letter or digit (a–z, 0–9) to make the page's address."
        )
    if slug in RESERVED_SLUGS:
        raise PageError(f"“{title}” is a name the wiki uses itself; choose another title.")
    if draft.visibility not in VISIBILITIES:
        raise PageError("Choose whether the page is internal or public.", "visibility")
    if len(draft.markdown or "") > MARKDOWN_MAX:
        raise PageError(f"The text is longer than {MARKDOWN_MAX:,} characters.", "markdown")
    tags = normalise_tags(draft.tags)
    if len(tags) > TAGS_PER_PAGE:
        raise PageError(f"A page can have at most {TAGS_PER_PAGE} tags.", "tags")
    summary = " ".join(_CONTROL.sub(" ", draft.summary or "").split())[:SUMMARY_MAX]
    # Control characters have no use in text (PostgreSQL refuses NUL); tabs and newlines stay.
    markdown = _TEXT_CONTROL.sub("", (draft.markdown or "").replace("\r\n", "\n"))
    return replace(draft, title=title, tags=" ".join(tags), summary=summary, markdown=markdown)


def preview_html(markdown: str, visibility: str) -> str:
    """The HTML a page's text would be stored with; :class:`PageError` if it is refused."""
    visibility = visibility if visibility in VISIBILITIES else "internal"
    return _render(Draft(title="", markdown=markdown, visibility=visibility), None).html


def _render(draft: Draft, slug: str | None) -> links.Rendered:
    try:
        return links.render_page(draft.markdown, draft.visibility, self_slug=slug)
    except MarkdownRefused as exc:
        raise PageError(str(exc), "markdown") from None


def _check_unique(title: str, slug: str, page_id: int | None) -> None:
    query = Page.select(Page.title).where(
        (fn.LOWER(Page.title) == title.lower()) | (Page.slug == slug)
    )
    if page_id is not None:
        query = query.where(Page.id != page_id)
    other = query.first()
    if other is not None:
        raise PageError(
            f"A page called “{other.title}” already exists with that name or address; "
            "choose another title or edit that page."
        )


def _store_tags(page_id: int, tags: str) -> None:
    PageTag.delete().where(PageTag.page == page_id).execute()
    if tags:
        PageTag.insert_many([{"page": page_id, "tag": tag} for tag in tags.split()]).execute()


def create_page(draft: Draft, author, *, confirmed: bool = False) -> Page:
    """A new page with its first revision; ``author`` needs ``wiki.edit`` (``None``: loader).

    A public page whose text looks personal is refused with
    :class:`~dmsu.core.publictext.LooksPersonal` unless the author ``confirmed`` it may be public.
    """
    if author is not None:
        require(author, "wiki.edit", "write wiki pages")
    draft = clean(draft)
    if author is not None and draft.visibility == "public" and not confirmed:
        check_public_page(draft.title, draft.markdown, draft.summary, draft.ticket_id)
    slug = slugify(draft.title)
    rendered = _render(draft, slug)
    now = clock.now()
    try:
        with write_transaction("wiki"):
            _check_unique(draft.title, slug, None)
            page = Page.create(
                slug=slug,
                title=draft.title,
                visibility=draft.visibility,
                revision_number=1,
                html=rendered.html,
                body_text=rendered.body_text,
                tags=draft.tags,
                ticket=draft.ticket_id,
                component=draft.component_id,
                created_by=author,
                updated_by=author,
                created_at=now,
                updated_at=now,
                changed_at=now,
            )
            _new_revision(page, 1, draft, rendered, author, now)
            _store_tags(page.id, draft.tags)
            links.touch(links.store_links(page, rendered), page.id)
            links.rerender_linkers(slug, page.id)
            search_documents.reindex([page.id])
    except IntegrityError as exc:
        raise PageError("A page with that name or address already exists.") from exc
    return page


def _new_revision(page, number, draft: Draft, rendered, author, now) -> Revision:
    return Revision.create(
        page=page,
        number=number,
        title=draft.title,
        markdown=draft.markdown,
        html=rendered.html,
        summary=draft.summary,
        visibility=draft.visibility,
        tags=draft.tags,
        author=author,
        created_at=now,
    )


def _conflict(page_id: int, base_number: int) -> EditConflict:
    page = Page.get_by_id(page_id)
    revisions = {
        r.number: r
        for r in Revision.select().where(
            Revision.page == page_id, Revision.number.in_([base_number, page.revision_number])
        )
    }
    return EditConflict(page, revisions.get(base_number), revisions[page.revision_number])


def save_page(
    page: Page, draft: Draft, author, base_revision: int, *, confirmed: bool = False
) -> Page:
    """Save ``draft`` as the next revision of ``page`` if nobody saved after ``base_revision``.

    Raises :class:`EditConflict` (nothing written) when the page moved on,
    :class:`PageError` for bad input, and :class:`~dmsu.core.publictext.LooksPersonal` when the
    text it makes public looks personal and the author has not ``confirmed`` it.
    """
    require(author, "wiki.edit", "edit wiki pages")
    draft = clean(draft)
    if draft.visibility == "public" and not confirmed:
        previous = current_revision(page).markdown if page.visibility == "public" else None
        check_public_page(
            draft.title, draft.markdown, draft.summary, draft.ticket_id or page.ticket_id, previous
        )
    rendered = _render(draft, page.slug)
    now = clock.now()
    try:
        with write_transaction("wiki"):
            before = Page.get_by_id(page.id)
            if before.revision_number != base_revision:
                raise _conflict(page.id, base_revision)
            _check_unique(draft.title, slugify(draft.title), page.id)
            claimed = (
                Page.update(
                    revision_number=base_revision + 1,
                    title=draft.title,
                    visibility=draft.visibility,
                    html=rendered.html,
                    body_text=rendered.body_text,
                    tags=draft.tags,
                    component=draft.component_id,
                    ticket=draft.ticket_id if draft.ticket_id else before.ticket_id,
                    updated_at=now,
                    updated_by=author,
                    changed_at=now,
                )
                .where(Page.id == page.id, Page.revision_number == base_revision)
                .execute()
            )
            if claimed != 1:
                raise _conflict(page.id, base_revision)
            _new_revision(page, base_revision + 1, draft, rendered, author, now)
            _store_tags(page.id, draft.tags)
            links.touch(links.store_links(page, rendered), page.id)
            if before.visibility != draft.visibility:
                links.rerender_linkers(page.slug, page.id)
            search_documents.reindex([page.id])
    except IntegrityError as exc:
        if Page.get_by_id(page.id).revision_number != base_revision:
            raise _conflict(page.id, base_revision) from exc
        raise PageError("A page with that name or address already exists.") from exc
    return Page.get_by_id(page.id)


def revert_page(page: Page, number: int, author, base_revision: int) -> Page:
    """Make revision ``number`` the page's text again, as a new revision."""
    require(author, "wiki.edit", "revert wiki pages")
    old = Revision.get_or_none(Revision.page == page.id, Revision.number == number)
    if old is None:
        raise PageError(f"This page has no revision {number}.", "revision")
    draft = Draft(
        title=old.title,
        markdown=old.markdown,
        visibility=old.visibility,
        tags=old.tags,
        summary=f"Reverted to revision {number}",
        component_id=page.component_id,
    )
    # A revert brings back text as it was saved: public only if it was public then.
    return save_page(page, draft, author, base_revision, confirmed=True)


def current_revision(page: Page) -> Revision:
    return Revision.get(Revision.page == page.id, Revision.number == page.revision_number)
