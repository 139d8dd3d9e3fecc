"""The JSON API, version 1: the tickets. Errors are JSON ``{"error": ..., "field": ...}``
with the status that fits; the app's error handlers answer JSON for every ``/api/`` path.

``POST /api/v1/tickets`` goes through the same checks and the same upsert as
``flask dmsu import-tickets`` (:func:`dmsu.tickets.exchange.records.validate_ticket`,
:func:`dmsu.tickets.exchange.importer.import_records`).
"""

from __future__ import annotations

from flask import current_app, g, jsonify, request, url_for
from peewee import IntegrityError

from dmsu.api.blueprint import bp, error, json_body, token_required
from dmsu.api.conditional import conditional_json
from dmsu.api.ticket_links import links_of
from dmsu.core import clock
from dmsu.core.calendar import BusinessCalendar
from dmsu.core.publictext import LooksPersonal, People
from dmsu.tickets import dossier
from dmsu.tickets.exchange import exporter
from dmsu.tickets.exchange.importer import import_records
from dmsu.tickets.exchange.records import InvalidTicket, drop_nul, validate_ticket
from dmsu.tickets.models import Ticket
from dmsu.tickets.pages.queries import MAX_ID, ticket_by_ggus_id
from dmsu.tickets.people import people_of
from dmsu.tickets.workflow import public_fields


def ticket_json(ggus_id: int, user=None) -> dict | None:
    """A ticket in the import shape plus its summary, and what the site derives from its
    events: its SLA clocks, ETAs, status and assignment history, involvements, and its links
    (:mod:`dmsu.tickets.dossier`, :mod:`dmsu.api.ticket_links`), read as ``user`` (the token's
    owner) may read them. Only staff may read tickets through the API (``ticket.view``); they
    may read internal comments (:func:`~dmsu.tickets.dossier.sees_internal_comments`), and
    the submitter's e-mail is included."""
    user = user if user is not None else g.api_token.user
    ticket = ticket_by_ggus_id(ggus_id)
    if ticket is None:
        return None
    record = next(exporter.ticket_records(Ticket.select().where(Ticket.id == ticket.id)))
    if not dossier.sees_internal_comments(user):
        record["events"] = [e for e in record["events"] if e.get("public", True)]
    found = dossier.dossier_of(ticket, user, BusinessCalendar.from_config(current_app.config),
                               clock.now())  # fmt: skip
    record["status"] = ticket.status
    record["support_unit"] = ticket.support_unit.name if ticket.support_unit_id else None
    record["updated_at"] = ticket.updated_at.isoformat()
    record["url"] = url_for("api.get_ticket", ggus_id=ggus_id, _external=False)
    record["sla_clocks"] = found.sla_clocks
    record["etas"] = found.etas
    record["status_history"] = found.status_history
    record["assignments"] = found.assignments
    record["involvements"] = found.involvements
    record["links"] = links_of(ticket, user)
    return record


@bp.post("/tickets")
@token_required("ticket.import", "import tickets (admins only)")
def post_ticket():
    body, refusal = json_body()
    if refusal is not None:
        return refusal
    if b"\\u0000" in request.get_data():
        body = drop_nul(body)
    try:
        record = validate_ticket(body)
    except InvalidTicket as exc:
        if exc.field is None:
            return error(400, exc.message[0].upper() + exc.message[1:] + ".")
        return error(422, f"Field {exc.field}: {exc.message}.", exc.field)
    refusal = _looks_personal(record)
    if refusal is not None:
        return refusal
    try:
        summary = import_records([record])
    except IntegrityError:  # the same new ticket posted twice at once: the second updates it
        try:
            summary = import_records([record])
        except IntegrityError:
            return error(409, "The ticket changed while it was being saved; send it again.")
    created = summary.created == 1
    response = jsonify(ticket_json(record.ggus_id))
    response.status_code = 201 if created else 200
    if created:
        response.headers["Location"] = url_for("api.get_ticket", ggus_id=record.ggus_id)
    return response


def _looks_personal(record):
    """A broad-impact ticket's text is public at once (the operations digest): what still
    looks personal in its public text is refused with 422 and the findings, unless the request
    says ``?confirm=1``. What the stored ticket already showed is not asked about again."""
    fields = {"subject": record.subject, **record.fields}
    if not fields.get("broad_impact") or request.args.get("confirm") in ("1", "true", "yes"):
        return None
    stored = Ticket.get_or_none(Ticket.ggus_id == record.ggus_id)
    people = People.of([fields.get("submitter") or ""], [fields.get("submitter_email") or ""])
    if stored is not None:
        people = people | people_of(stored)
    before = public_fields.ticket_texts(stored) if stored and stored.broad_impact else None
    new = {**(public_fields.ticket_texts(stored) if stored else {}), **fields}
    found = public_fields.made_public(
        {name: new.get(name) or "" for name in public_fields.PUBLIC_FIELDS}, people, before
    )
    if not found:
        return None
    return error(
        422,
        f"{LooksPersonal(found)} Send it again with ?confirm=1 to publish it as it is.",
        None,
        findings=[{"kind": f.kind, "value": f.value, "message": f.message} for f in found],
    )


@bp.get("/tickets/<int:ggus_id>")
@token_required("ticket.view", "read tickets")
def get_ticket(ggus_id: int):
    """One ticket, with a strong ETag (a digest of the answer: an SLA clock that turns
    violated changes it although no event came) answering 304 to If-None-Match."""
    found = ticket_json(ggus_id) if 0 < ggus_id <= MAX_ID else None
    if found is None:
        return error(404, f"There is no ticket {ggus_id}.")
    return conditional_json(found)


import dmsu.api.ticket_list  # noqa: E402, F401  (GET /api/v1/tickets, the list)
