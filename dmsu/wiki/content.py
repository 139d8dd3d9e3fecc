"""Seed wiki pages loaded by ``flask dmsu init`` from ``content/pages/*.md``.

Each file starts with a small front matter between ``---`` lines::

    ---
    title: How to route a ticket to DMSU
    visibility: public
    tags: routing, tpm
    component: CREAM CE      (optional: a cheat-sheet component, by name)
    ---

Loading is idempotent: a page whose address already exists is left as it is (it may have
been edited since), so running ``init`` again never overwrites anybody's text.
"""

from __future__ import annotations

from pathlib import Path

import click

from dmsu.cheatsheet.models import Component
from dmsu.core.markdown import slugify
from dmsu.wiki.models import Page
from dmsu.wiki.pages import Draft, PageError, create_page

FRONT_MATTER_KEYS = ("title", "visibility", "tags", "component")


def parse_page(text: str, source: str = "page") -> Draft:
    """A :class:`Draft` from a content file; ``click.ClickException`` names the problem."""
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        raise click.ClickException(f"{source}: the file must start with a '---' front matter.")
    try:
        end = lines.index("---", 1)
    except ValueError:
        raise click.ClickException(f"{source}: the front matter has no closing '---'.") from None
    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if not sep or key not in FRONT_MATTER_KEYS:
            raise click.ClickException(
                f"{source}, line {number}: expected one of {', '.join(FRONT_MATTER_KEYS)}."
            )
        value = value.strip()
        if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        meta[key] = value
    if not meta.get("title"):
        raise click.ClickException(f"{source}: the front matter needs a title.")
    return Draft(
        title=meta["title"],
        markdown="\n".join(lines[end + 1 :]).strip("\n") + "\n",
        visibility=meta.get("visibility", "internal") or "internal",
        tags=meta.get("tags", ""),
        summary="First version, from the site's seed content",
        component_id=_component_id(meta.get("component", "")),
    )


def _component_id(name: str) -> int | None:
    if not name:
        return None
    component = Component.get_or_none(Component.name == name)
    return component.id if component else None


def load_content(content_dir: Path) -> list[str]:
    """Create the pages of ``content_dir/pages`` that do not exist yet."""
    folder = Path(content_dir) / "pages"
    if not folder.is_dir():
        return []
    created = kept = 0
    for path in sorted(folder.glob("*.md")):
        draft = parse_page(path.read_text(encoding="utf-8"), path.name)
        if Page.select().where(Page.slug == slugify(draft.title)).exists():
            kept += 1
            continue
        try:
            create_page(draft, None)
        except PageError as exc:
            raise click.ClickException(f"{path.name}: {exc}") from exc
        created += 1
    return [f"Wiki pages: {created} new, {kept} kept as they are."]
