"""The wiki index, grouped the way a reader looks for a page: by the component it is about
(the cheat sheet's names, A to Z, then the pages about no one component) or by tag.

Seed 000: solution digests are "recorded at DMSU internal wiki for further use" — a reader
finds the digests of a component under the component's name here, and on its cheat-sheet
page (``templates/wiki/_component_pages.html``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dmsu.auth.models import User
from dmsu.cheatsheet.models import Component
from dmsu.wiki.models import Page

GROUPINGS = ("component", "tag")
NO_COMPONENT = "Other pages"
NO_TAG = "Untagged"
INDEX_LIMIT = 2000


@dataclass
class Group:
    name: str
    anchor: str  # the id of its heading: /wiki/#component-dcache
    component_slug: str | None = None  # the cheat-sheet page of the component
    pages: list = field(default_factory=list)


def index_pages(user) -> list[Page]:
    """Every page ``user`` may see, with its component's name, A to Z (bounded)."""
    return list(
        Page.visible_to(user, Page.slug, Page.title, Page.visibility, Page.tags, Page.updated_at)
        .select_extend(
            Component.name.alias("component_name"), Component.slug.alias("component_slug")
        )
        .join_from(
            Page, Component, on=(Page.component == Component.id), join_type="LEFT OUTER JOIN"
        )
        .order_by(Page.title)
        .limit(INDEX_LIMIT)
        .objects()
    )


def by_component(pages: list[Page]) -> list[Group]:
    """One group per component (A to Z, case-insensitive), then :data:`NO_COMPONENT`."""
    groups: dict[str, Group] = {}
    for page in pages:
        if page.component_name:
            key = page.component_name
            group = groups.setdefault(
                key, Group(key, f"component-{page.component_slug}", page.component_slug)
            )
        else:
            group = groups.setdefault("", Group(NO_COMPONENT, "component-none"))
        group.pages.append(page)
    named = sorted((g for k, g in groups.items() if k), key=lambda g: g.name.lower())
    return named + ([groups[""]] if "" in groups else [])


def by_tag(pages: list[Page]) -> list[Group]:
    """One group per tag (A to Z), a page under each of its tags, then :data:`NO_TAG`."""
    groups: dict[str, Group] = {}
    untagged = Group(NO_TAG, "tag-none")
    for page in pages:
        for tag in page.tag_list:
            groups.setdefault(tag, Group(tag, f"tag-{tag}")).pages.append(page)
        if not page.tag_list:
            untagged.pages.append(page)
    return [groups[tag] for tag in sorted(groups)] + ([untagged] if untagged.pages else [])


def grouped(pages: list[Page], by: str) -> list[Group]:
    return by_tag(pages) if by == "tag" else by_component(pages)


def recently_edited(user, limit: int = 10) -> list[Page]:
    """The pages edited last, with who edited them (the template shows the editor to staff
    only) and their tags."""
    return list(
        Page.visible_to(user, Page.slug, Page.title, Page.tags, Page.updated_at)
        .select_extend(
            User.username.alias("editor_username"), User.display_name.alias("editor_name")
        )
        .join_from(Page, User, on=(Page.updated_by == User.id), join_type="LEFT OUTER JOIN")
        .order_by(Page.updated_at.desc(), Page.id.desc())
        .limit(limit)
        .objects()
    )
