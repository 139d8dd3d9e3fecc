"""A wiki page as the search index holds it (:mod:`dmsu.core.search`): its title, its text as
the reader sees it (``body_text``) and its tags; public pages for everyone, internal ones for
staff — the audience :meth:`Page.visible_to` gives.

Seed 001: the digests of solved tickets are kept "as a solution digest in the DMSU wiki", so a
solution digest (a page linked to the ticket it solves, or tagged ``solution-digest``) and a
known issue are boosted: they are the answers a supporter looks for.

Pages are written by :mod:`dmsu.wiki.pages` (create, save, revert) and re-rendered by
:mod:`dmsu.wiki.links`; each calls :func:`reindex` in its transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from dmsu.core.search.documents import CHUNK, Document, put
from dmsu.wiki.models import KNOWN_ISSUE_TAG, Page

AREA = "wiki"
ANSWER_BOOST = 1.6


def _document(page: Page) -> Document:
    tags = page.tag_list
    answer = page.is_solution_digest or KNOWN_ISSUE_TAG in tags
    return Document(
        area=AREA,
        key=page.slug,
        title=page.title,
        body=page.body_text,
        diary=" ".join(tags),
        audience="public" if page.visibility == "public" else "staff",
        component_id=page.component_id,
        at=page.updated_at,
        boost=ANSWER_BOOST if answer else 1.0,
    )


def documents(page_ids: list[int]) -> list[Document]:
    result = []
    for start in range(0, len(page_ids), CHUNK):
        part = page_ids[start : start + CHUNK]
        result += [_document(page) for page in Page.select().where(Page.id.in_(part))]
    return result


def reindex(page_ids: Iterable[int]) -> int:
    found = documents(sorted(set(page_ids)))
    put(found)
    return len(found)


def all_ids() -> list[int]:
    return [page_id for (page_id,) in Page.select(Page.id).order_by(Page.id).tuples()]
