"""A small world with one of everything, for the site-wide tests (access matrix, crawl, XSS).

Built through the areas' public functions (content loader, ticket factory and workflow, wiki
pages and attachments, digests, rota, requirements, recommendations, API tokens, mail queue),
with marker strings planted in everything a public reader must never see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from dmsu.content import load_all
from dmsu.core import clock

MARK = "INTERNAL-MARKER-7f3a"
SUBMITTER_EMAIL = "submitter-marker@example.org"
WEEK = "2013-W07"  # 11-17 February 2013, published
DRAFT_WEEK = "2013-W08"  # drafted, not published
QUARTER = "PQ12"  # Feb-Apr 2013


def at(day: int, hour: int = 10) -> str:
    return f"2013-02-{day:02d}T{hour:02d}:00:00+00:00"


@dataclass
class World:
    """Ids and names to build concrete URLs from (``str.format(**vars(world))``)."""

    ggus_id: int = 91001  # open in DMSU, internal comment, marker everywhere
    solved_ggus_id: int = 91002  # solved, broad impact: in the published digest
    component_slug: str = "cream-ce"
    public_slug: str = ""
    internal_slug: str = ""
    tag: str = "hardening"
    internal_tag: str = "hardening-internal"
    public_attachment_id: int = 0
    public_attachment_name: str = ""
    internal_attachment_id: int = 0
    internal_attachment_name: str = ""
    week: str = WEEK
    draft_week: str = DRAFT_WEEK
    entry_id: int = 0
    draft_entry_id: int = 0
    requirement_id: int = 0
    quarter: str = QUARTER
    recommendation_id: int = 0
    token_id: int = 0
    api_token: str = ""
    change_id: int = 0
    user_id: int = 0
    cream_unit_id: int = 0
    forum_thread_id: int = 0
    users: dict = field(default_factory=dict)


def build(app, clients, make_ticket) -> World:
    """Fill the database; ``clients`` is conftest's dict of logged-in clients per role."""
    with app.app_context():
        return _build(app, clients, make_ticket)


def _build(app, clients, make_ticket) -> World:
    from dmsu.api.tokens import create_token
    from dmsu.cheatsheet.models import CheatSheetChange, Component
    from dmsu.digests.drafting import add_ticket, draft_digest
    from dmsu.digests.models import Digest, DigestEntry
    from dmsu.digests.publishing import publish
    from dmsu.digests.rota import set_shift
    from dmsu.metrics.recommendations import save as save_recommendation
    from dmsu.notify.mail import queue
    from dmsu.requirements.log import create_requirement
    from dmsu.tickets import workflow
    from dmsu.wiki.attachments import attach
    from dmsu.wiki.pages import Draft, create_page

    users = {role: c.user for role, c in clients.items() if role != "anonymous"}
    admin, assigner, resolver = users["admin"], users["assigner"], users["resolver"]
    world = World(users=users, user_id=users["tpm"].id)
    load_all()
    cream = Component.get(Component.slug == world.component_slug)

    # Tickets are staff-only: markers in subject, description, submitter and internal notes.
    make_ticket(
        world.ggus_id,
        subject=f"Open ticket {MARK}-subject",
        description=f"Staff-only description {MARK}-description",
        submitter="Sam Submitter",
        submitter_email=SUBMITTER_EMAIL,
        component="CREAM CE",
        priority="urgent",
        events=[
            {"at": at(11), "type": "assigned", "support_unit": "DMSU"},
            {"at": at(11, 12), "type": "comment", "public": False, "text": f"{MARK}-comment"},
        ],
    )
    make_ticket(
        world.solved_ggus_id,
        subject="CREAM CE drops jobs after proxy renewal",
        # A published digest starts from the ticket's description (the shift edits it before
        # publishing), so only the submitter's address is planted here: it must be removed.
        description=f"Jobs are lost after renewal. Contact {SUBMITTER_EMAIL}.",
        submitter_email=SUBMITTER_EMAIL,
        component="CREAM CE",
        broad_impact=True,
        impact="Long jobs are lost.",
        workaround="Switch proxy renewal off.",
        events=[
            {"at": at(12), "type": "assigned", "support_unit": "DMSU"},
            {"at": at(12, 11), "type": "comment", "public": False, "text": f"{MARK}-note"},
            {"at": at(13), "type": "status", "status": "solved", "text": "Fixed."},
        ],
    )
    make_ticket(
        91003,
        subject=f"Third line ticket {MARK}-third",
        submitter_email=SUBMITTER_EMAIL,
        component="CREAM CE",
        events=[
            {"at": at(14), "type": "assigned", "support_unit": "DMSU"},
            {"at": at(15), "type": "assigned", "support_unit": "CREAM"},
        ],
    )
    world.cream_unit_id = workflow.SupportUnit.named("CREAM").id
    ticket = workflow.Ticket.get(workflow.Ticket.ggus_id == world.ggus_id)
    workflow.add_comment(ticket, resolver, f"Internal diary {MARK}-diary", public=False)

    # Wiki: a public page and an internal page, both with a tag and an attachment.
    public = create_page(
        Draft(
            title="Hardening public notes",
            markdown="Public knowledge about CREAM. See [[Hardening public notes]].",
            visibility="public",
            tags="hardening",
            summary="first",
        ),
        resolver,
    )
    internal = create_page(
        Draft(
            title=f"Internal {MARK}-title",
            markdown=f"Internal body {MARK}-body with {SUBMITTER_EMAIL}.",
            visibility="internal",
            tags="hardening-internal",
            summary=f"summary {MARK}-summary",
        ),
        resolver,
    )
    world.public_slug, world.internal_slug = public.slug, internal.slug
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    for page, attr in ((public, "public"), (internal, "internal")):
        attachment = attach(page, resolver, png, "image/png", f"{attr}.png", app.instance_path)
        setattr(world, f"{attr}_attachment_id", attachment.id)
        setattr(world, f"{attr}_attachment_name", attachment.filename)

    # Digests: 2013-W07 published (with the solved ticket), 2013-W08 drafted.
    set_shift(WEEK, assigner, admin)
    digest = draft_digest(WEEK, actor=assigner).digest
    if not DigestEntry.select().where(DigestEntry.digest == digest).exists():
        add_ticket(digest, world.solved_ggus_id, assigner)
    Digest.update(intro="A quiet week.").where(Digest.id == digest.id).execute()
    with clock.frozen(datetime(2013, 2, 18, 9, 0, tzinfo=UTC)):
        publish(digest, assigner, config=app.config)
    world.entry_id = DigestEntry.select().where(DigestEntry.digest == digest).first().id
    draft = draft_digest(DRAFT_WEEK, actor=assigner).digest
    Digest.update(intro=f"Draft intro {MARK}-draft").where(Digest.id == draft.id).execute()
    world.draft_entry_id = add_ticket(draft, 91003, assigner).id

    requirement = create_requirement(
        resolver,
        title=f"Per-VO queue length {MARK}-requirement",
        description=f"Publish it per VO. {MARK}-requirement-text",
        component="CREAM CE",
        ggus_ids=[world.ggus_id],
    )
    world.requirement_id = requirement.id
    recommendation = save_recommendation(
        assigner,
        QUARTER,
        {
            "title": f"Fix the proxy {MARK}-recommendation",
            "text": "Tickets keep coming.",
            "risk": "Jobs fail.",
            "improvement": "Fewer tickets.",
        },
    )
    world.recommendation_id = recommendation.id
    token, world.api_token = create_token(admin, "hardening bridge")
    world.token_id = token.id
    from dmsu.cheatsheet.editing import current_data, save_component
    from dmsu.cheatsheet.fields import ComponentData

    data = current_data(cream)
    changed = ComponentData(**{**vars(data), "description": data.description + " Edited."})
    save_component(assigner, changed, cream)
    world.change_id = CheatSheetChange.select().order_by(CheatSheetChange.id.desc()).first().id
    queue(
        "hardening-outbox",
        [SUBMITTER_EMAIL],
        f"Reminder {MARK}-mail",
        f"Body {MARK}-mail-body",
        kind="reminder",
        ticket_ggus_id=world.ggus_id,
    )
    world.forum_thread_id = _forum_thread(resolver, world.ggus_id)
    return world


def _forum_thread(actor, ggus_id: int) -> int:
    """A list thread (internal: its text carries the marker) linked to the open ticket."""
    from dmsu.forums import work
    from dmsu.forums.archives import notebook_messages
    from dmsu.forums.ingest import take_in_all
    from dmsu.forums.lists import ensure_list
    from dmsu.forums.models import ForumThread

    mail = (
        f"From: {SUBMITTER_EMAIL}\nTo: lcg-rollout@jiscmail.ac.uk\nSubject: CREAM CE crashes\n"
        f"Date: Mon, 11 Feb 2013 09:00:00 +0000\n\nIt crashes. {MARK}-forum\n"
    ).encode()
    take_in_all(notebook_messages(mail, "world"), ensure_list("lcg-rollout@jiscmail.ac.uk"))
    thread = ForumThread.get()
    work.link(thread, ggus_id, actor)
    return thread.id
