"""A ticket's search document is the same whether it is read back from the database or made
by the importer from the records it has just inserted (:func:`search_documents.reindex`'s
``written``): the fields, the diary in time order, the solution boost and the time."""

from __future__ import annotations

import json

from dmsu.core.search.documents import Document
from dmsu.core.search.models import SearchDocument
from dmsu.tickets import search_documents
from dmsu.tickets.exchange.import_file import import_lines
from dmsu.tickets.models import Ticket
from tests.support import records

COLUMNS = "area, key, title, body, diary, audience, component_id, status, at, boost"


def stored(ggus_id: int) -> tuple:
    fields = [getattr(SearchDocument, name.strip()) for name in COLUMNS.split(",")]
    query = SearchDocument.select(*fields).where(
        SearchDocument.area == "tickets", SearchDocument.key == str(ggus_id)
    )
    return query.tuples().get()


def as_row(document: Document) -> tuple:
    row = document.row()
    return tuple(row[name.strip()] for name in COLUMNS.split(","))


def test_an_imported_ticket_is_indexed_as_a_read_back_would_index_it(app):
    events = [  # out of time order in the file, an empty comment, a note that closes it
        records.status("2013-02-15T09:00:00Z", "solved") | {"text": "Restart the wmproxy."},
        {"at": "2013-02-12T10:00:00Z", "type": "comment", "text": "A proxy expired at ce01."},
        records.assigned("2013-02-11T09:52:00Z", "CREAM"),
        {"at": "2013-02-13T10:00:00Z", "type": "comment", "text": ""},
        {"at": "2013-02-13T11:00:00Z", "type": "comment", "text": "Second note, public."},
    ]
    record = records.ticket(
        97001,
        subject="glite-wms-wmproxy fails",
        description="Jobs abort.",
        workaround="Resubmit.",
        fixed_version="3.2.1-4",
        component="CREAM",
        events=events,
    )
    assert import_lines([json.dumps(record)]).summary.created == 1
    written = stored(97001)
    ticket = Ticket.get(Ticket.ggus_id == 97001)
    read_back = search_documents.documents([ticket.id])
    assert [as_row(d) for d in read_back] == [written]
    assert written[4] == "A proxy expired at ce01.\nSecond note, public.\nRestart the wmproxy."
    assert written[9] == search_documents.SOLVED_BOOST


def test_a_ticket_imported_again_is_read_back(app):
    record = records.ticket(97002, subject="Argus hangs", events=[records.history()[2]])
    import_lines([json.dumps(record)])
    more = {"at": "2013-03-01T10:00:00Z", "type": "comment", "text": "zirconium again"}
    record["events"].append(more)
    assert import_lines([json.dumps(record)]).summary.updated == 1
    assert stored(97002)[4] == "A **defect**, reproduced.\nzirconium again"
