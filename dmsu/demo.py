"""Demo data: ``flask dmsu demo`` fills an empty database with a realistic year shaped after
seed 001 (PY3: 701 tickets, 28% solved in DMSU, most of the rest sent to the 3rd line, about
5% back to TPM), users of every role, and the areas' own demo content.

Each area adds to the demo with its module ``dmsu.<area>.demo`` exposing ``load(ctx) -> str``
(a summary line); they run in the order of :data:`AREA_DEMOS`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from dmsu.auth import accounts
from dmsu.auth.models import User
from dmsu.core import clock
from dmsu.digests import demo as digests_demo
from dmsu.forums import demo as forums_demo
from dmsu.helpdesk import demo as helpdesk_demo
from dmsu.metrics import demo as metrics_demo
from dmsu.repositories import demo as repositories_demo
from dmsu.requirements import demo as requirements_demo
from dmsu.tickets import demo as tickets_demo
from dmsu.wiki import demo as wiki_demo

DEMO_USERS = (
    ("admin", "admin", "Ada Admin"),
    ("alice", "assigner", "Alice Assigner"),
    ("bruno", "assigner", "Bruno Assigner"),
    ("chiara", "assigner", "Chiara Assigner"),
    ("dana", "assigner", "Dana Assigner"),
    ("rita", "resolver", "Rita Resolver"),
    ("radek", "resolver", "Radek Resolver"),
    ("rosa", "resolver", "Rosa Resolver"),
    ("tom", "tpm", "Tom TPM"),
    ("tina", "tpm", "Tina TPM"),
)

AREA_DEMOS = (
    tickets_demo,
    helpdesk_demo,
    repositories_demo,
    wiki_demo,
    forums_demo,
    digests_demo,
    requirements_demo,
    metrics_demo,
)


@dataclass
class DemoContext:
    n_tickets: int
    rng: random.Random
    end: datetime
    echo: object = print
    users: dict[str, User] = field(default_factory=dict)


def demo_password(username: str) -> str:
    """Demo accounts only: a password anyone can read in the README."""
    return f"{username}-demo-desk"


def create_users() -> dict[str, User]:
    users = {}
    for username, role, name in DEMO_USERS:
        user = User.get_or_none(User.username == username)
        if user is None:
            user = accounts.create_user(
                username,
                role,
                demo_password(username),
                display_name=name,
                email=f"{username}@example.org",
            )
        users[username] = user
    return users


def load(n_tickets: int, *, seed: int = 2012, end: datetime | None = None, echo=print):
    """Load the demo; return the (user, password) pairs to print."""
    ctx = DemoContext(
        n_tickets=n_tickets, rng=random.Random(seed), end=end or clock.now(), echo=echo
    )
    ctx.users = create_users()
    echo(f"Users: {len(ctx.users)} demo accounts.")
    for area_demo in AREA_DEMOS:
        echo(area_demo.load(ctx))
    return [(username, demo_password(username)) for username, _, _ in DEMO_USERS]
