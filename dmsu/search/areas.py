"""The areas whose things are in the search index, each with its documents module."""

from __future__ import annotations

from dmsu.digests import search_documents as digests
from dmsu.forums import search_documents as forums
from dmsu.requirements import search_documents as requirements
from dmsu.tickets import search_documents as tickets
from dmsu.wiki import search_documents as wiki

# area name -> its module (documents, reindex, all_ids); the order results are grouped in
AREAS = {module.AREA: module for module in (tickets, wiki, digests, requirements, forums)}
LABELS = {
    "tickets": "Tickets",
    "wiki": "Wiki",
    "digests": "Digests",
    "requirements": "Requirements",
    "forums": "Forums",
}
