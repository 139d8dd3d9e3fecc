"""Wiki links, ticket references and what a page shows beside its text.

How a stored page stays honest about links (the decision taken here):
a page's HTML is rendered at save time with a link resolver that sees only the pages the
page's own readers may see: a public page's resolver sees public pages only, an internal
page's resolver sees every page. So a ``[[Internal page]]`` link in a public page is drawn
as *missing* for everyone — an anonymous reader cannot tell it from a page that does not
exist, and both answer 404. When a page is created or changes visibility, the pages that
link to it are rendered again (their current HTML only; revisions keep the HTML of their
time). Backlinks and "tickets referenced" come from :class:`PageLink` rows at view time,
filtered by the one visibility rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from peewee import SQL, Value

from dmsu.core import clock
from dmsu.core import markdown as render
from dmsu.wiki import compiled, search_documents
from dmsu.wiki.models import Attachment, Page, PageLink, Revision, sees_internal


@dataclass
class Rendered:
    """A page's markdown as the site stores it."""

    html: str
    body_text: str
    wiki_slugs: set[str]
    ticket_ids: set[int]


def resolver_for(visibility: str):
    """``slug -> exists`` as seen by the readers of a page of ``visibility``."""

    def exists(slug: str) -> bool:
        query = Page.select(Page.id).where(Page.slug == slug)
        if visibility == "public":
            query = query.where(Page.visibility == "public")
        return query.exists()

    return exists


def render_page(markdown: str, visibility: str, *, self_slug: str | None = None) -> Rendered:
    """Render for storage: HTML, the plain text to index, and the outgoing links (one render;
    a text the markdown path refuses raises :class:`~dmsu.core.markdown.MarkdownRefused`)."""
    resolver = resolver_for(visibility)
    linked: set[str] = set()

    def exists(slug: str) -> bool:
        linked.add(slug)
        return slug == self_slug or resolver(slug)

    document = render.render_document(markdown, kind="wiki page", link_resolver=exists)
    return Rendered(
        html=document.html,
        body_text=document.text,
        wiki_slugs=linked,
        ticket_ids=set(document.ticket_ids),
    )


def store_links(page: Page, rendered: Rendered) -> set[str]:
    """Replace the page's outgoing links; return the slugs it linked before or now."""
    before = {
        row.target_slug
        for row in PageLink.select(PageLink.target_slug).where(
            PageLink.page == page.id, PageLink.target_slug.is_null(False)
        )
    }
    PageLink.delete().where(PageLink.page == page.id).execute()
    rows = [{"page": page.id, "target_slug": slug} for slug in sorted(rendered.wiki_slugs)]
    rows += [{"page": page.id, "ggus_id": ggus_id} for ggus_id in sorted(rendered.ticket_ids)]
    if rows:
        PageLink.insert_many(rows).execute()
    return before | rendered.wiki_slugs


def touch(slugs: set[str], exclude_id: int) -> None:
    """The pages named by ``slugs`` show a changed backlink list: move their ``changed_at``."""
    if slugs:
        Page.update(changed_at=clock.now()).where(
            Page.slug.in_(sorted(slugs)), Page.id != exclude_id
        ).execute()


def current_pages(*conditions):
    """The pages matching ``conditions`` with the markdown of their current revision."""
    query = Page.select(
        Page.id, Page.slug, Page.visibility, Page.revision_number, Revision.markdown
    ).join(Revision, on=((Revision.page == Page.id) & (Revision.number == Page.revision_number)))
    if conditions:
        query = query.where(*conditions)
    return query.order_by(Page.id).objects()


def store_rendered(page, rendered: Rendered, **columns) -> bool:
    """Store ``rendered`` as the HTML of ``page`` if the page is still at the revision it was
    rendered from: a conditional UPDATE, so an older revision's HTML never replaces a save."""
    changed = (
        Page.update(html=rendered.html, changed_at=clock.now(), **columns)
        .where(Page.id == page.id, Page.revision_number == page.revision_number)
        .execute()
    )
    if changed == 1 and "body_text" in columns:
        search_documents.reindex([page.id])
    return changed == 1


def rerender_linkers(slug: str, exclude_id: int) -> int:
    """Render again the pages that link to ``slug`` (it appeared or changed visibility)."""
    linking = PageLink.select(PageLink.page).where(PageLink.target_slug == slug)
    count = 0
    for linker in current_pages(Page.id.in_(linking), Page.id != exclude_id):
        try:
            rendered = render_page(linker.markdown, linker.visibility, self_slug=linker.slug)
        except render.MarkdownRefused:  # stored before today's limits: it keeps its HTML
            continue
        count += store_rendered(linker, rendered)
    return count


@dataclass
class PageContext:
    """What a page view shows beside the stored HTML, from ONE query."""

    backlinks: list[dict] = field(default_factory=list)
    tickets: list[int] = field(default_factory=list)
    attachments: list[dict] = field(default_factory=list)


def _context_query(user, slug, page_id):
    backlinks = PageLink.visible_to(
        user,
        Value("backlink").alias("kind"),
        Page.slug.alias("key"),
        Page.title.alias("label"),
        Value("").alias("extra"),
        Page.id.alias("number"),
        Value(0).alias("size"),
    ).where(PageLink.target_slug == slug, PageLink.page != page_id)
    tickets = PageLink.select(
        Value("ticket"), Value(""), Value(""), Value(""), PageLink.ggus_id, Value(0)
    ).where(PageLink.page == page_id, PageLink.ggus_id.is_null(False))
    files = Attachment.visible_to(
        user,
        Value("attachment"),
        Attachment.stored_name,
        Attachment.filename,
        Attachment.content_type,
        Attachment.id,
        Attachment.size,
    ).where(Attachment.page == page_id)
    return (backlinks + tickets + files).order_by(SQL("1"), SQL("3"), SQL("5"))


def page_context(page: Page, user) -> PageContext:
    """Backlinks (visible to ``user``), tickets referenced and attachments, in one UNION."""
    key = ("page_context", sees_internal(user))
    found = compiled.rows(
        key,
        lambda slug, page_id: _context_query(user, slug, page_id),
        slug=page.slug,
        page_id=page.id,
    )
    context = PageContext()
    for row in found:
        if row["kind"] == "backlink":
            context.backlinks.append({"slug": row["key"], "title": row["label"]})
        elif row["kind"] == "ticket":
            context.tickets.append(row["number"])
        else:
            context.attachments.append(
                {
                    "id": row["number"],
                    "filename": row["label"],
                    "content_type": row["extra"],
                    "size": row["size"],
                    "is_image": row["extra"].startswith("image/"),
                }
            )
    return context
