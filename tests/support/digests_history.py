"""A week of ticket history (2013-W07, 11–17 February 2013) shared by the digests tests."""

from __future__ import annotations

WEEK = "2013-W07"
SECRET_COMMENT = "MARKER-INTERNAL-COMMENT-7f3a"
SECRET_EMAIL = "marker-submitter-9c1e@example.org"
SECRET_PAGE = "MARKER-INTERNAL-WIKI-5d2b"


def at(day: int, hour: int = 10) -> str:
    return f"2013-02-{day:02d}T{hour:02d}:00:00+00:00"


def make_week(make_ticket) -> dict:
    """Tickets whose events in 2013-W07 give: new 3, solved 1, 3rd line 1, back to TPM 1,
    still open 2; broad impact: 91001 (handled), 91002 (handled), 91005 (never in DMSU)."""
    tickets = {}
    tickets["solved"] = make_ticket(
        91001,
        subject="CREAM CE drops jobs after proxy renewal",
        description=f"Jobs vanish after renewal. Contact me at {SECRET_EMAIL} please.",
        submitter="Sam Submitter",
        submitter_email=SECRET_EMAIL,
        component="CREAM CE",
        broad_impact=True,
        impact="All sites running CREAM 1.14 lose *long* jobs.",
        workaround="Set `proxy_renewal = false` until the fix.",
        events=[
            {"at": at(11), "type": "assigned", "support_unit": "DMSU"},
            {"at": at(11, 12), "type": "comment", "public": False, "text": SECRET_COMMENT},
            {"at": at(12), "type": "status", "status": "solved"},
        ],
    )
    tickets["third"] = make_ticket(
        91002,
        subject="BDII top publishes stale entries",
        submitter_email="other-submitter@example.org",
        component="BDII top",
        broad_impact=True,
        impact="Stale resources are matched.",
        events=[
            {"at": "2013-02-04T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"},
            {"at": at(13), "type": "assigned", "support_unit": "CREAM"},
            {"at": at(13, 11), "type": "comment", "public": False, "text": SECRET_COMMENT},
        ],
    )
    tickets["tpm"] = make_ticket(
        91003,
        subject="Site network outage",
        events=[
            {"at": at(12), "type": "assigned", "support_unit": "DMSU"},
            {"at": at(14), "type": "assigned", "support_unit": "TPM"},
        ],
    )
    tickets["old_open"] = make_ticket(
        91004,
        subject="Old open ticket",
        events=[{"at": "2013-02-05T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"}],
    )
    tickets["tpm_only"] = make_ticket(
        91005,
        subject="Only seen by TPM",
        broad_impact=True,
        events=[{"at": at(12), "type": "assigned", "support_unit": "TPM"}],
    )
    tickets["new_open"] = make_ticket(
        91006,
        subject="WMS loses sandbox",
        component="WMS",
        events=[
            {"at": at(13), "type": "assigned", "support_unit": "DMSU"},
            {"at": at(14), "type": "comment", "text": "Looking into it."},
        ],
    )
    tickets["next_week"] = make_ticket(
        91007,
        subject="Next week's ticket",
        broad_impact=True,
        events=[{"at": "2013-02-19T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"}],
    )
    return tickets


def plant_internal_page(ticket) -> None:
    """An internal wiki page (a solution digest) about ``ticket`` carrying a marker."""
    from dmsu.wiki.models import Page

    Page.create(
        slug="marker-solution",
        title=f"Solution {SECRET_PAGE}",
        visibility="internal",
        html=f"<p>{SECRET_PAGE}</p>",
        ticket=ticket,
    )


def edit_form(digest, **changes) -> dict:
    """The digest editor's form as the page sends it, with ``changes`` applied."""
    from dmsu.digests.drafting import entries_of

    data = {"version": str(digest.version), "intro": digest.intro}
    for entry in entries_of(digest):
        for name in ("title", "status_text", "symptoms", "impact", "workaround"):
            data[f"entry-{entry.id}-{name}"] = getattr(entry, name)
    data.update(changes)
    return data
