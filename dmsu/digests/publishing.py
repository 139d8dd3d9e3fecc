"""Publishing a digest: a whole, public-safe revision, stored as HTML and as text, mailed once.

Seed 000: the digest "is published at the DMSU wiki. The digests are publicly available".
"A published digest stays as published; a later correction is a new revision shown
as 'updated'", and "an e-mail of the published digest to a list (DMSU_DIGEST_MAILTO) through
the same mail path as the workflow's notifications".

The public HTML is composed from an autoescaped template and the stored, sanitised markdown
HTML of the intro and the entries, then cleaned once more by the one sanitiser
(:func:`dmsu.core.markdown.sanitize_html`), so the stored page can be served as is.
"""

from __future__ import annotations

import re
from datetime import timedelta

from flask import render_template
from markupsafe import escape
from peewee import IntegrityError, fn

from dmsu.auth.permissions import require
from dmsu.core import clock
from dmsu.core.db import database, write_transaction
from dmsu.core.markdown import plain_text, sanitize_html
from dmsu.core.publictext import Finding, LooksPersonal, People, findings, without_people
from dmsu.digests import search_documents
from dmsu.digests.drafting import DigestError, count_rows, entries_of
from dmsu.digests.editing import EditConflict
from dmsu.digests.models import Digest, DigestEntry, DigestRevision
from dmsu.digests.rota import monday_of
from dmsu.metrics.periods import week_bounds
from dmsu.notify import mail
from dmsu.notify.models import Notification
from dmsu.tickets.models import Ticket, TicketEvent
from dmsu.tickets.people import known_submitters, submitters_of

NOTE_LIMIT = 300


def week_span(week: str) -> str:
    """The days of ``week`` in words, e.g. "11–17 February 2013"."""
    monday = monday_of(week)
    sunday = monday + timedelta(days=6)
    if monday.month == sunday.month:
        return f"{monday.day}–{sunday.day} {sunday:%B %Y}"
    if monday.year == sunday.year:
        return f"{monday.day} {monday:%B} – {sunday.day} {sunday:%B %Y}"
    return f"{monday.day} {monday:%B %Y} – {sunday.day} {sunday:%B %Y}"


def digest_title(week: str) -> str:
    return f"DMSU digest {week} ({week_span(week)})"


def ticket_url(config, ggus_id: int) -> str:
    return str(config.get("DMSU_GGUS_TICKET_URL", "")).format(id=ggus_id)


def page_url(config, week: str) -> str:
    return f"{str(config.get('DMSU_BASE_URL', '')).rstrip('/')}/digests/{week}"


_TICKET_HREF = re.compile(r'href="/tickets/(\d+)"')


def public_ticket_links(html: str, config) -> str:
    """Ticket references (``#12345``) point at the site's staff-only ticket page; public
    readers follow them to the helpdesk (GGUS) instead."""
    return _TICKET_HREF.sub(lambda m: f'href="{escape(ticket_url(config, int(m[1])))}"', html)


def submitters(digest: Digest, entries: list[DigestEntry]) -> People:
    """The submitters (names and e-mail addresses) of the digest's tickets and of every
    ticket with an event in its week: none of them may reach the public text."""
    start, end = week_bounds(digest.week)
    in_week = TicketEvent.select(TicketEvent.ticket).where(
        (TicketEvent.at >= start) & (TicketEvent.at < end)
    )
    ids = [e.ticket_id for e in entries if e.ticket_id]
    query = Ticket.select(Ticket.submitter, Ticket.submitter_email).where(
        Ticket.id.in_(in_week) | Ticket.id.in_(ids or [0])
    )
    rows = list(query.tuples())
    people = People.of([name for name, _ in rows], [address for _, address in rows])
    return people.by_family_name()


def personal_findings(digest: Digest, entries: list[DigestEntry], note: str = "") -> list[Finding]:
    """What looks personal in the text the shift publishes: the introduction, the note and
    every entry (:func:`dmsu.core.publictext.findings`)."""
    texts = [digest.intro, note]
    for entry in entries:
        texts += [entry.title, entry.symptoms, entry.impact, entry.workaround, entry.status_text]
    ids = [e.ticket_id for e in entries if e.ticket_id]
    return findings(texts, submitters_of(ids), known=known_submitters)


def compose(digest: Digest, entries: list[DigestEntry], config) -> tuple[str, str]:
    """The public HTML and the plain text of ``digest`` with ``entries``."""
    author = digest.author.name if digest.author_id and digest.author else ""
    context = {
        "digest": digest,
        "entries": entries,
        "counts": count_rows(digest),
        "ticket_url": lambda ggus_id: ticket_url(config, ggus_id),
        "author": author,
        "span": week_span(digest.week),
    }
    html = sanitize_html(
        public_ticket_links(render_template("digests/_public_body.html", **context), config)
    )
    text = render_template(
        "digests/mail.txt",
        title=digest_title(digest.week),
        url=page_url(config, digest.week),
        intro=plain_text(digest.intro) if digest.intro.strip() else "",
        plain=plain_text,
        **context,
    )
    people = submitters(digest, entries)
    return without_people(html, people), without_people(text, people)


OUT_OF_STEP = (
    "This digest's revision counter is out of step with its published revisions, so nothing "
    "was published; run flask --app app dmsu init to repair it, then publish again."
)


def publish(
    digest: Digest,
    actor,
    *,
    config,
    note: str = "",
    version: int | None = None,
    confirmed: bool = False,
) -> DigestRevision:
    """Publish the working copy of ``digest`` as its next revision and queue its e-mail.

    Refused in one sentence when there is nothing to publish (no intro and no entries) or
    nothing changed since the last revision. ``version`` is the working copy the person saw
    (the edit form's): when someone saved since, :class:`EditConflict` is raised and nothing
    is published. The digest is read, composed and claimed in one write transaction, the
    claim a compare-and-set on its revision and version. Refused with :class:`LooksPersonal`
    when its text looks personal (a name, an address, a telephone number) unless the person
    ``confirmed`` it may be public. ``actor`` None is the system (CLI, the demo).
    """
    if actor is not None:
        require(actor, "digest.edit", "publish a weekly digest")
    with write_transaction("digests"):
        revision = _publish(digest, actor, config, note, version, confirmed)
    from dmsu.digests import cache

    cache.forget(digest.week)
    return revision


def _publish(
    digest: Digest, actor, config, note: str, version: int | None, confirmed: bool
) -> DigestRevision:
    digest = Digest.get_by_id(digest.id)
    if version is not None and digest.version != version:
        raise EditConflict(digest)
    entries = entries_of(digest)
    if not digest.intro.strip() and not entries:
        raise DigestError(
            "There is nothing to publish yet: write an introduction or add at least one ticket."
        )
    if digest.is_published and digest.version == digest.published_version:
        raise DigestError(f"Nothing has changed since revision {digest.revision} was published.")
    note = " ".join((note or "").split())
    if len(note) > NOTE_LIMIT:
        raise DigestError(f"The note on the correction is longer than {NOTE_LIMIT} characters.")
    if not confirmed:
        found = personal_findings(digest, entries, note)
        if found:
            raise LooksPersonal(found)
    html, text = compose(digest, entries, config)
    number = digest.revision + 1
    now = clock.now()
    with database.atomic():
        changed = (
            Digest.update(
                state="published",
                revision=number,
                published_version=digest.version,
                public_html=html,
                published_at=fn.COALESCE(Digest.published_at, now),
                revised_at=now,
            )
            .where(
                (Digest.id == digest.id)
                & (Digest.revision == digest.revision)
                & (Digest.version == digest.version)
            )
            .execute()
        )
        if changed != 1:
            raise DigestError("Someone published this digest at the same moment; reload the page.")
        try:
            with database.atomic():
                revision = DigestRevision.create(
                    digest=digest,
                    number=number,
                    html=html,
                    text=text,
                    author=actor.id if actor is not None else None,
                    created_at=now,
                    note=note or ("first publication" if number == 1 else "correction"),
                )
        except IntegrityError:  # a digest damaged before m0908 repaired it
            raise DigestError(OUT_OF_STEP) from None
        search_documents.reindex([digest.id])
        queue_digest_mail(digest, revision, config)
    return revision


def digest_recipients(config) -> list[str]:
    """The addresses of ``DMSU_DIGEST_MAILTO`` (comma-separated), the list a published digest
    is mailed to; none configured means no mail."""
    return [a.strip() for a in str(config.get("DMSU_DIGEST_MAILTO") or "").split(",") if a.strip()]


def _recipients_text(recipients: list[str]) -> str:
    count = len(recipients)
    return f"{count} recipient{'' if count == 1 else 's'} ({', '.join(recipients)})"


NO_SMTP = "no SMTP server is configured (DMSU_SMTP_HOST), so it waits in the outbox"


def mail_plan(config, *, correction: bool = False) -> str:
    """What publishing will mail, in one sentence for the confirmation step."""
    recipients = digest_recipients(config)
    if not recipients:
        return "No e-mail will go out: no recipients are configured (DMSU_DIGEST_MAILTO is empty)."
    what = "The correction, marked [updated]," if correction else "The digest"
    plan = f"{what} will be mailed to {_recipients_text(recipients)} (DMSU_DIGEST_MAILTO)"
    if not config.get("DMSU_SMTP_HOST"):
        return f"{plan}; but {NO_SMTP} for an admin to read instead of being sent."
    return f"{plan}."


def mail_outcome(digest: Digest, revision: DigestRevision, config) -> str:
    """Whether the e-mail of ``revision`` was queued or sent, in words for the flash (read
    from the one mail path's log under the key :func:`queue_digest_mail` used)."""
    note = Notification.get_or_none(Notification.key == _mail_key(digest, revision))
    if note is None or note.state == "suppressed" or not note.recipient.strip():
        return "no mail: no recipients configured"
    recipients = _recipients_text([a.strip() for a in note.recipient.split(",") if a.strip()])
    if note.state == "sent":
        return f"e-mail sent to {recipients}"
    if note.state == "outbox" or not config.get("DMSU_SMTP_HOST"):
        return f"e-mail queued for {recipients}; {NO_SMTP}"
    return f"e-mail queued for {recipients}"


def _mail_key(digest: Digest, revision: DigestRevision) -> str:
    return f"digest:{digest.week}:r{revision.number}"


def queue_digest_mail(digest: Digest, revision: DigestRevision, config) -> None:
    """The published digest to ``DMSU_DIGEST_MAILTO``, once per revision."""
    recipients = ", ".join(digest_recipients(config))
    if not recipients:
        return
    title = digest_title(digest.week)
    subject = title if revision.number == 1 else f"{title} [updated]"
    mail.queue(
        _mail_key(digest, revision),
        recipients,
        subject,
        revision.text,
        kind="digest",
    )
