"""How good are the routing suggestions? Measured on the tickets whose component is known.

Two ways: ``time`` trains the text model on the older tickets and asks about the newest
``test_fraction`` of them (what a TPM member would experience); ``loo`` (leave one out)
asks about every ticket with that ticket taken out of the model. Each reports how often the
true component is the first suggestion and how often it is among the first three, for the
whole method and for the name matching and the text model alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from peewee import fn

from dmsu.cheatsheet import routing
from dmsu.cheatsheet.sheet import load_sheet
from dmsu.cheatsheet.textmodel import DESCRIPTION_CHARS, TextModel, sheet_docs
from dmsu.tickets.models import Ticket


@dataclass
class Score:
    n: int = 0
    top1: int = 0
    top3: int = 0

    def add(self, ranked_ids: list[int], truth: int) -> None:
        self.n += 1
        self.top1 += bool(ranked_ids[:1] == [truth])
        self.top3 += truth in ranked_ids[:3]

    def percent(self, hits: int) -> float:
        return 100.0 * hits / self.n if self.n else 0.0

    def line(self, label: str) -> str:
        return (
            f"{label:<12} top-1 {self.percent(self.top1):5.1f}%  "
            f"top-3 {self.percent(self.top3):5.1f}%  ({self.n} tickets)"
        )


@dataclass
class Report:
    method: str
    trained_on: int
    combined: Score = field(default_factory=Score)
    names_only: Score = field(default_factory=Score)
    text_only: Score = field(default_factory=Score)

    def lines(self) -> list[str]:
        return [
            f"Routing accuracy ({self.method}; text model trained on {self.trained_on} tickets):",
            self.combined.line("combined"),
            self.names_only.line("names only"),
            self.text_only.line("text only"),
        ]


def labelled_tickets(limit: int | None = None) -> list[tuple[int, str, str]]:
    """(component id, subject, description start) oldest first, tickets of components
    still on the sheet."""
    current = {row.id for row in load_sheet().rows if not row.retired}
    query = (
        Ticket.select(
            Ticket.component, Ticket.subject, fn.SUBSTR(Ticket.description, 1, DESCRIPTION_CHARS)
        )
        .where(Ticket.component.is_null(False))
        .order_by(Ticket.created_at, Ticket.id)
    )
    rows = [(c, s, d or "") for c, s, d in query.tuples().iterator() if c in current]
    return rows[-limit:] if limit else rows


def measure(method: str = "time", test_fraction: float = 0.2, limit: int | None = None) -> Report:
    tickets = labelled_tickets(limit)
    sheet = load_sheet()
    empty = TextModel.build([])
    described = sheet_docs(sheet.rows)
    if method == "loo":
        model = TextModel.build(((c, f"{s}\n{d}") for c, s, d in tickets), None, described)
        tests = tickets
    else:
        cut = int(len(tickets) * (1 - test_fraction))
        model = TextModel.build(((c, f"{s}\n{d}") for c, s, d in tickets[:cut]), None, described)
        tests = tickets[cut:]
    report = Report(
        "leave one out" if method == "loo" else f"newest {test_fraction:.0%} held out",
        model.n_docs,
    )
    for component, subject, description in tests:
        exclude = (component, f"{subject}\n{description}") if method == "loo" else None
        combined = routing.suggest(
            subject, description, limit=3, sheet=sheet, model=model, exclude=exclude
        )
        report.combined.add([s.row.id for s in combined], component)
        names = routing.suggest(subject, description, limit=3, sheet=sheet, model=empty)
        report.names_only.add([s.row.id for s in names], component)
        text = model.similar(f"{subject}\n{description}", exclude=exclude, limit=3)
        report.text_only.add([c for c, _, _ in text], component)
    return report
