"""Tickets and events in the importer's JSON shape (what ``import-tickets`` reads and
``make_ticket`` takes)."""

from __future__ import annotations

T0 = "2013-02-11T04:51:38-05:00"


def ticket(ggus_id=91039, events=None, **fields):
    obj = {
        "ggus_id": ggus_id,
        "subject": f"Ticket {ggus_id}",
        "created_at": T0,
        "events": events if events is not None else [],
    }
    obj.update(fields)
    return obj


def history(ggus_id=91039):
    return [
        {"at": "2013-02-11T09:52:00Z", "type": "assigned", "support_unit": "TPM"},
        {"at": "2013-02-11T11:00:00+01:00", "type": "assigned", "support_unit": "DMSU"},
        {"at": "2013-02-12T10:00:00Z", "type": "comment", "author_role": "dmsu", "public": False,
         "text": "A **defect**, reproduced."},
        {"at": "2013-02-12T11:00:00Z", "type": "assigned", "support_unit": "CREAM"},
        {"at": "2013-02-13T09:00:00Z", "type": "eta", "due": "2013-03-01",
         "support_unit": "CREAM"},
        {"at": "2013-02-14T09:00:00Z", "type": "status", "status": "in progress",
         "author_role": "third_line"},
    ]  # fmt: skip


def assigned(at: str, unit: str) -> dict:
    return {"at": at, "type": "assigned", "support_unit": unit}


def status(at: str, value: str) -> dict:
    return {"at": at, "type": "status", "status": value}


def eta(at: str, due: str) -> dict:
    return {"at": at, "type": "eta", "due": due}
