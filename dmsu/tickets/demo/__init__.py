"""Demo tickets: a year of GGUS tickets shaped after seed 001 ("METRICS", Table 1).

Seed 001: "In PY3, the software support handled 701 tickets in total ... 195 (28%) were solved
by the EGI software support team"; "the number of tickets assigned back to TPM dropped to 39
(5%)"; "The overall average ticket solution time is 20 days while the median is 5 days";
"the average and median times to reassign a ticket to 3rd line support are only 2 days and
53 minutes"; "Apart from vacation periods (July-September and December) the load is fairly
uniform". So: ~28% solved in DMSU (lognormal solution time, median 5 d, mean 20 d), ~67% sent
to a 3rd-line unit (median 53 min, mean ~2 d), ~5% back to TPM.

The stories follow the workflow's conventions (``dmsu.tickets.workflow``): an ``assigned``
event with a ``status`` "assigned" event, ``field`` events for the assignee, the fixed version
and the flags, ETAs with their revision number, a release verified in UMD closing the tickets
of that version. Every event after ``ctx.end`` is cut off, so recent tickets are open at every
stage. The records are written through the importer's bulk path (so demo tickets are
de-duplicable and exportable); verified releases are recorded as :class:`Release` rows.
"""

from __future__ import annotations

import math
import sys
from datetime import UTC, datetime, timedelta

import click

from dmsu.cheatsheet.models import Component
from dmsu.core.db import database
from dmsu.tickets.demo import texts as words
from dmsu.tickets.exchange.importer import TicketWriter
from dmsu.tickets.exchange.records import validate_ticket
from dmsu.tickets.models import Release
from dmsu.tickets.units import SupportUnit

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
MONTH_WEIGHT = {7: 0.7, 8: 0.55, 9: 0.8, 12: 0.7, 11: 1.15, 2: 0.9}
SHARES = (("dmsu", 0.28), ("tpm", 0.05), ("third_line", 0.67))
PRIORITIES = (
    ("less urgent", 0.55),
    ("urgent", 0.35),
    ("very urgent", 0.08),
    ("top priority", 0.02),
)
CATEGORY_BY_OUTCOME = {
    "dmsu": (("configuration", 0.4), ("usage", 0.3), ("incident", 0.2), ("documentation", 0.1)),
    "tpm": (("incident", 0.7), ("configuration", 0.2), ("usage", 0.1)),
    "third_line": (("incident", 0.65), ("change request", 0.15), ("configuration", 0.1),
                   ("documentation", 0.1)),
}  # fmt: skip
FALLBACK = (("CREAM CE", "CREAM"), ("dCache", "dCache"), ("BDII top", "CERN BDII"),
            ("ARC CE", "ARC"), ("VOMS", "VOMS"))  # fmt: skip
BATCH = 1000
PROGRESS_FROM = 5000


def _pick(rng, weighted):
    return rng.choices([w[0] for w in weighted], [w[1] for w in weighted])[0]


def _lognormal(rng, median: timedelta, mean: timedelta, cap: timedelta) -> timedelta:
    sigma = math.sqrt(2 * math.log(mean / median))
    value = median * rng.lognormvariate(0, sigma)
    return min(value, cap)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds")


class _Catalogue:
    """Components to write about, their 3rd-line units and release calendars."""

    def __init__(self, ctx) -> None:
        components = list(Component.current())
        if not components:
            components = sorted(_fallback_components(), key=lambda c: c.name)
        third_line = [u.name for u in SupportUnit.third_line()]
        self.items = []
        for component in components:
            unit = component.support_unit
            unit_name = unit.name if unit is not None and unit.kind == "third_line" else None
            unit_name = unit_name or (ctx.rng.choice(third_line) if third_line else "CREAM")
            weight = math.sqrt(component.deployment_size or 50)
            self.items.append((component, unit_name, weight))
        self.releases = {c.name: self._calendar(ctx, c) for c, _, _ in self.items}

    @staticmethod
    def _calendar(ctx, component):
        """Releases every 4 to 9 weeks from a year before the first ticket to after the end."""
        major, minor, patch = ctx.rng.randint(1, 3), ctx.rng.randint(0, 12), 0
        at = ctx.end - timedelta(days=ctx.rng.randint(420, 460))
        calendar = []
        while at < ctx.end + timedelta(days=120):
            patch += 1
            if ctx.rng.random() < 0.15:
                minor, patch = minor + 1, 0
            calendar.append((at, f"{major}.{minor}.{patch}", ctx.rng.random() < 0.06))
            at += timedelta(days=ctx.rng.randint(28, 63))
        return calendar  # (verified or rejected at, version, rejected?)

    def pick(self, rng):
        return rng.choices(self.items, [w for _, _, w in self.items])[0]

    def release_after(self, name: str, at: datetime):
        for when, version, rejected in self.releases[name]:
            if when > at and not rejected:
                return when, version
        when, version, _ = self.releases[name][-1]
        return when + timedelta(days=60), version + ".1"


def _fallback_components():
    from dmsu.core.markdown import slugify

    made = []
    for name, unit_name in FALLBACK:
        unit, _ = SupportUnit.get_or_create(
            name=unit_name, defaults={"kind": "third_line", "sla_level": "level2"}
        )
        component = Component.get_or_none(Component.name == name) or Component.create(
            name=name, slug=slugify(name), support_unit=unit
        )
        made.append(component)
    return made


def _creation_times(ctx, n: int) -> list[datetime]:
    """``n`` instants over the 365 days ending at ``ctx.end``: fewer in the holidays and at
    weekends, mostly in European working hours."""
    start = ctx.end - timedelta(days=365)
    days = [start + DAY * i for i in range(365)]
    weights = [MONTH_WEIGHT.get(d.month, 1.0) * (0.25 if d.weekday() >= 5 else 1.0) for d in days]
    picked = ctx.rng.choices(days, weights, k=n)
    times = [d.replace(hour=0, minute=0, second=0, microsecond=0) for d in picked]
    times = [t + timedelta(minutes=ctx.rng.randint(6 * 60, 18 * 60)) for t in times]
    return sorted(t for t in times if t < ctx.end)


class _Story:
    """The events of one ticket, in the import format."""

    def __init__(self, ggus_id: int) -> None:
        self.ggus_id = ggus_id
        self.events: list[dict] = []
        self.current = "new"

    def add(self, at, kind, role="system", actor=None, **extra):
        event = {"at": at, "type": kind, "author_role": role, **extra}
        if actor is not None:
            event["actor"] = actor.username
        self.events.append(event)

    def assign(self, at, unit, role, actor=None, text="", public=False):
        self.add(at, "assigned", role, actor, support_unit=unit, public=public, text=text)
        self.status(at, "assigned", role, actor, public=False)

    def status(self, at, status, role, actor=None, text="", public=True):
        """Like the workflow, only a real change of status is an event."""
        if status != self.current or not self.events:
            self.add(at, "status", role, actor, status=status, public=public, text=text)
            self.current = status

    def comment(self, at, role, text, actor=None, public=True):
        self.add(at, "comment", role, actor, public=public, text=text)

    def field(self, at, name, before, after, actor=None, **extra):
        data = {"field": name, "before": before, "after": after, **extra}
        self.add(at, "field", "dmsu" if actor else "system", actor, public=False, data=data)


class _Generator:
    def __init__(self, ctx) -> None:
        self.ctx, self.rng = ctx, ctx.rng
        self.catalogue = _Catalogue(ctx)
        users = list(ctx.users.values())
        self.tpm = [u for u in users if u.role == "tpm"] or [None]
        self.assigners = [u for u in users if u.role in ("assigner", "admin")] or [None]
        self.supporters = [u for u in users if u.role in ("resolver", "assigner")] or [None]
        self.verified: set[tuple[str, str, datetime]] = set()

    def record(self, ggus_id: int, created: datetime) -> dict:
        rng = self.rng
        component, unit, _ = self.catalogue.pick(rng)
        outcome = _pick(rng, SHARES)
        category = _pick(rng, CATEGORY_BY_OUTCOME[outcome])
        version = self.catalogue.release_after(component.name, created - 90 * DAY)[1]
        subject, description, submitter = self._texts(component, category, version, created)
        story = _Story(ggus_id)
        story.add(created, "assigned", support_unit="TPM", public=False)
        routed = created + _lognormal(rng, 1.5 * HOUR, 6 * HOUR, 5 * DAY)
        story.assign(routed, "DMSU", "tpm", rng.choice(self.tpm))
        if outcome == "dmsu":
            self._solved_in_dmsu(story, routed, component)
        elif outcome == "tpm":
            self._back_to_tpm(story, routed)
        else:
            self._third_line(story, routed, component, unit, category)
        events = [dict(e, at=_iso(e["at"])) for e in story.events if e["at"] <= self.ctx.end]
        return {
            "ggus_id": ggus_id,
            "subject": subject,
            "description": description,
            "submitter": submitter,
            "submitter_email": submitter.lower().replace(" ", ".") + "@example.org",
            "component": component.name,
            "category": category,
            "priority": _pick(rng, PRIORITIES),
            "created_at": _iso(created),
            "events": events,
        }

    def _texts(self, component, category, version, created):
        rng = self.rng
        symptom = rng.choice(words.SYMPTOMS[category]).format(version=version)
        mode = rng.random()
        aliases = component.alias_list
        keywords = words.keywords(component.description)
        if mode < 0.45 or (mode < 0.7 and not aliases) or (mode < 0.85 and not keywords):
            mention = component.name
        elif mode < 0.7:
            mention = rng.choice(aliases)
        elif mode < 0.85:
            mention = f"{rng.choice(keywords)} service"
        else:
            mention = None
        submitter = rng.choice(words.SUBMITTERS)
        if mention is None:
            subject = rng.choice(words.GENERIC_SUBJECTS)
            opening = rng.choice(words.GENERIC_OPENINGS)
        else:
            subject = f"{mention}: {symptom}"
            opening = rng.choice(words.OPENINGS).format(mention=mention, symptom=symptom)
        description = words.DESCRIPTION.format(
            opening=opening,
            detail=rng.choice(words.DETAILS),
            day=created.strftime("%d %B %Y"),
            submitter=f"{submitter}, {rng.choice(words.SITES)}",
        )
        return subject[:500], description, submitter

    def _take(self, story: _Story, at: datetime) -> None:
        """A DMSU supporter takes the ticket and starts working on it."""
        person = self.rng.choice(self.supporters)
        if person is not None:
            story.field(at, "assignee", None, person.username, person, before_id=None,
                        after_id=person.id)  # fmt: skip
        story.status(at, "in progress", "dmsu", person, public=False)

    def _wait_for_submitter(self, story, at, until, role, actor) -> datetime | None:
        """Waiting for reply; the submitter answers, or the system closes after 30 days."""
        rng = self.rng
        story.status(at, "waiting for reply", role, actor, rng.choice(words.ASK_INFO))
        replied = at + _lognormal(rng, 3 * DAY, 8 * DAY, 60 * DAY)
        silent = 0.35 if self.ctx.end - at < 40 * DAY else 0.08  # recent ones still wait
        if rng.random() < silent:  # a silent submitter: reminders, then closed by the system
            replied = at + timedelta(days=rng.uniform(8, 45))
        if replied - at > 30 * DAY or replied > until:
            if replied - at > 30 * DAY:
                story.status(at + 30 * DAY, "closed", "system",
                             text="Closed after 30 days waiting for the submitter's reply.")  # fmt: skip
                return None
            replied = at + (until - at) / 2
        story.comment(replied, "submitter", rng.choice(words.SUBMITTER_REPLY))
        story.status(replied + 10 * timedelta(minutes=1), "in progress", role, actor, public=False)
        return replied

    def _solved_in_dmsu(self, story, routed, component):
        rng = self.rng
        took = routed + _lognormal(rng, 40 * timedelta(minutes=1), 4 * HOUR, 3 * DAY)
        solved = took + _lognormal(rng, 5 * DAY, 45 * DAY, 300 * DAY)
        self._take(story, took)
        person = rng.choice(self.supporters)
        if rng.random() < 0.1:  # a known problem with a fix scheduled for a release: on hold
            when, version = self.catalogue.release_after(component.name, took + DAY)
            story.field(took + HOUR, "fixed_version", "", version, person)
            story.status(took + HOUR, "on hold", "dmsu", person,
                         f"A known problem, fixed in {component.name} {version}.")  # fmt: skip
            self.verified.add((component.name, version, when))
            story.status(when, "solved", "system",
                         text=f"The fix is released in {component.name} {version}.")  # fmt: skip
            return
        if rng.random() < 0.45:
            asked = took + (solved - took) * 0.2
            if self._wait_for_submitter(story, asked, solved, "dmsu", person) is None:
                return
        story.status(solved, "solved", "dmsu", person, rng.choice(words.SOLUTIONS))
        if rng.random() < 0.2:
            story.status(solved + DAY, "verified", "submitter")

    def _back_to_tpm(self, story, routed):
        rng = self.rng
        back = routed + _lognormal(rng, 3 * HOUR, DAY, 10 * DAY)
        person = rng.choice(self.supporters)
        story.assign(back, "TPM", "dmsu", person, rng.choice(words.BACK_TO_TPM))
        if rng.random() < 0.7:
            done = back + _lognormal(rng, 2 * DAY, 4 * DAY, 30 * DAY)
            story.status(done, "solved", "tpm", rng.choice(self.tpm), "Solved by the site.")

    def _third_line(self, story, routed, component, unit, category):
        rng = self.rng
        delay = _lognormal(rng, 53 * timedelta(minutes=1), 6 * DAY, 60 * DAY)
        assigner = rng.choice(self.assigners)
        recent = self.ctx.end - routed < 14 * DAY
        if rng.random() < (0.3 if recent else 0.04):  # postponed for the DMSU meeting's decision
            story.field(routed + delay / 3, "postponed", False, True, assigner)
            delay += timedelta(days=rng.randint(7, 21) if recent else rng.randint(2, 7))
        sent = routed + delay
        if delay > 2 * HOUR:
            self._take(story, routed + delay / 4)
        story.assign(sent, unit, "dmsu", assigner, rng.choice(words.THIRD_LINE_NOTES[:2]))
        if any(e["type"] == "field" and e["data"]["field"] == "postponed" for e in story.events):
            story.field(sent, "postponed", True, False, assigner)
        if rng.random() < 0.03:  # sent as is for lack of expertise: DMSU stays involved
            story.field(sent, "lack_of_expertise", False, True, assigner)
            story.add(sent, "involved", "dmsu", assigner, support_unit="DMSU", public=False)
        if category == "incident" and rng.random() < 0.15:
            for name, text in (("broad_impact", True), ("impact", rng.choice(words.IMPACTS)),
                               ("workaround", rng.choice(words.WORKAROUNDS))):  # fmt: skip
                story.field(sent + HOUR, name, False if name == "broad_impact" else "", text,
                            assigner)  # fmt: skip
        response = sent + _lognormal(rng, 5 * HOUR, 20 * HOUR, 20 * DAY)
        story.status(
            response, "in progress", "third_line", text=rng.choice(words.THIRD_LINE_REPLIES)
        )
        fix = sent + _lognormal(rng, 30 * DAY, 60 * DAY, 400 * DAY)
        ending = rng.random()
        if ending > 0.85:
            fix = fix + (fix - sent) * 3  # stuck: a long wait at the 3rd line
        if rng.random() < 0.85:
            self._etas(story, sent, response, fix, unit, assigner)
        if rng.random() < 0.06:  # "not a defect of ours": back to DMSU, which solves it
            back = response + _lognormal(rng, DAY, 3 * DAY, 20 * DAY)
            story.assign(back, "DMSU", "third_line", text="Not a defect of the product.")
            self._solved_in_dmsu(story, back, component)
            return
        if rng.random() < 0.15:
            asked = response + (fix - response) * 0.3
            if self._wait_for_submitter(story, asked, fix, "third_line", None) is None:
                return
        if ending < 0.55 and category != "documentation":
            self._deliver(story, fix, component, assigner)
        elif ending < 0.8:
            story.status(fix, "solved", "third_line", text="Fixed in the configuration template.")
        elif ending < 0.85:
            story.status(
                fix, "unsolved", "third_line", text="Will not be fixed in this release line."
            )

    def _etas(self, story, sent, response, fix, unit, assigner):
        rng = self.rng
        at = response + timedelta(hours=rng.randint(0, 48))
        due = (sent + timedelta(days=rng.randint(10, 60))).date()
        story.add(at, "eta", "dmsu", assigner, support_unit=unit, due=due.isoformat(),
                  public=False, data={"revision": 0})  # fmt: skip
        deadline = datetime(due.year, due.month, due.day, 17, tzinfo=UTC)
        if fix.date() > due:
            if rng.random() < 0.5:  # revised before it passes
                new_due = (fix + timedelta(days=rng.randint(-5, 20))).date()
                story.add(deadline - 2 * DAY, "eta", "dmsu", assigner, support_unit=unit,
                          due=new_due.isoformat(), public=False, data={"revision": 1},
                          text="The product team needs more time.")  # fmt: skip
            elif rng.random() < 0.4 and deadline + 7 * DAY < fix:  # missed: escalated
                story.add(deadline + 7 * DAY, "escalated", "dmsu", assigner, support_unit=unit,
                          public=False, text="ETA expired without news from the product team.")  # fmt: skip

    def _deliver(self, story, fix, component, assigner):
        when, version = self.catalogue.release_after(component.name, fix + 7 * DAY)
        story.field(fix, "fixed_version", "", version, assigner)
        story.assign(fix, "UMD release", "dmsu", assigner, f"Fixed in {version}.")
        self.verified.add((component.name, version, when))
        note = f"{component.name} {version} passed UMD verification and stage rollout."
        story.status(when, "closed", "system", text=note)


def load(ctx) -> str:
    """Generate ``ctx.n_tickets`` tickets through the importer; return a summary line."""
    generator = _Generator(ctx)
    times = _creation_times(ctx, ctx.n_tickets)
    if len(times) >= PROGRESS_FROM:
        with click.progressbar(length=len(times), label="Demo tickets",
                               file=sys.stderr) as bar:  # fmt: skip
            return _load(ctx, generator, times, bar.update)
    return _load(ctx, generator, times, None)


def _load(ctx, generator, times, progress) -> str:
    with database.atomic():
        writer = TicketWriter()
        ggus_id = 80000
        batch = []
        for created in times:
            ggus_id += generator.rng.randint(1, 9)
            batch.append(validate_ticket(generator.record(ggus_id, created)))
            if len(batch) >= BATCH:
                writer.write(batch)
                if progress is not None:
                    progress(len(batch))
                batch = []
        writer.write(batch)
        if progress is not None:
            progress(len(batch))
        releases = _record_releases(generator)
    summary = writer.summary
    return (
        f"Tickets: {summary.created} demo tickets with {summary.events_added} events, "
        f"{releases} verified releases."
    )


def _record_releases(generator: _Generator) -> int:
    names = {c.name: c for c, _, _ in generator.catalogue.items}
    seen = {}
    for name, version, when in generator.verified:
        if when <= generator.ctx.end:
            seen[(name, version)] = when
    for (name, version), when in sorted(seen.items()):
        Release.get_or_create(
            component=names[name],
            version=version,
            defaults={"status": "verified", "recorded_at": when, "note": "Demo release."},
        )
    return len(seen)
