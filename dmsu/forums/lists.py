"""The lists DMSU follows and the components each belongs to.

A list is mapped to components through the cheat sheet's forums field (issue 21, item 1: "Each
list is mapped to components through the cheat sheet's forums field"): the components whose
forums name the list's address. Nothing is copied, so editing the cheat sheet moves threads'
suggested components with it.
"""

from __future__ import annotations

import re

from dmsu.cheatsheet.models import Component
from dmsu.forums.models import ForumList

_ADDRESS = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")


class ListError(ValueError):
    """Not a list address; the message is one sentence."""


def clean_address(address: str) -> str:
    address = (address or "").strip().lower()
    if address.startswith("mailto:"):
        address = address[len("mailto:") :]
    if not _ADDRESS.match(address):
        raise ListError(f"'{address[:80]}' is not a mailing-list address such as name@host.org.")
    return address


def ensure_list(address: str, name: str = "") -> ForumList:
    address = clean_address(address)
    forum_list, _ = ForumList.get_or_create(address=address, defaults={"name": name or ""})
    return forum_list


def known_lists() -> dict[str, ForumList]:
    """Every followed list by address, and by its RFC 2919 List-Id form (``@`` as ``.``)."""
    found: dict[str, ForumList] = {}
    for forum_list in ForumList.select():
        found[forum_list.address] = forum_list
        found[forum_list.address.replace("@", ".")] = forum_list
    return found


def lists_named(addresses: list[str], known: dict[str, ForumList] | None = None) -> list:
    """The followed lists among ``addresses`` (a mail's List-Post, List-Id, To and Cc)."""
    known = known_lists() if known is None else known
    return list({known[a].id: known[a] for a in addresses if a in known}.values())


def components_of(forum_list: ForumList) -> list[Component]:
    """The current components whose cheat-sheet forums name this list."""
    address = forum_list.address.lower()
    return [
        component
        for component in Component.current().where(Component.forums.contains(address))
        if address in {f.lower().removeprefix("mailto:") for f in component.forum_list}
    ]


def component_for(forum_list: ForumList, text: str) -> Component | None:
    """The component a thread of this list is about: the list's one component, else the one of
    its components whose name the text names, else none (a person picks)."""
    candidates = components_of(forum_list)
    if len(candidates) == 1:
        return candidates[0]
    lowered = (text or "").lower()
    named = [c for c in candidates if c.name.lower() in lowered]
    return named[0] if len(named) == 1 else None
