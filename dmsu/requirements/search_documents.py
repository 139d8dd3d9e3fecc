"""A requirement as the search index holds it (:mod:`dmsu.core.search`): its title, its
description and its history's summaries; requirements are internal (staff only), as
:meth:`Requirement.visible_to` says. :mod:`dmsu.requirements.log` calls :func:`reindex` in
the transaction of every write.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from dmsu.core.search.documents import CHUNK, Document, put
from dmsu.requirements.models import Requirement, RequirementEvent

AREA = "requirements"


def documents(requirement_ids: list[int]) -> list[Document]:
    result = []
    for start in range(0, len(requirement_ids), CHUNK):
        part = requirement_ids[start : start + CHUNK]
        history: dict[int, list[str]] = defaultdict(list)
        events = (
            RequirementEvent.select(RequirementEvent.requirement, RequirementEvent.summary)
            .where(RequirementEvent.requirement.in_(part))
            .order_by(RequirementEvent.at, RequirementEvent.id)
            .tuples()
        )
        for requirement_id, summary in events:
            if summary:
                history[requirement_id].append(summary)
        for requirement in Requirement.select().where(Requirement.id.in_(part)):
            result.append(
                Document(
                    area=AREA,
                    key=str(requirement.id),
                    title=requirement.title,
                    body="\n".join(t for t in (requirement.description, requirement.tags) if t),
                    diary="\n".join(history.get(requirement.id, ())),
                    audience="staff",
                    component_id=requirement.component_id,
                    status=requirement.status,
                    at=requirement.updated_at,
                )
            )
    return result


def reindex(requirement_ids: Iterable[int]) -> int:
    found = documents(sorted(set(requirement_ids)))
    put(found)
    return len(found)


def all_ids() -> list[int]:
    return [i for (i,) in Requirement.select(Requirement.id).order_by(Requirement.id).tuples()]
