"""``flask dmsu draft-digest``, ``publish-digest`` and ``generate-rota``."""

from __future__ import annotations

import click
from flask import current_app

from dmsu.core.clitools import needs_schema
from dmsu.digests import rota
from dmsu.digests.drafting import DigestError, draft_digest
from dmsu.digests.models import Digest


class BadWeek(click.ClickException):
    """A week that does not exist: one sentence, exit status 2 (a usage error)."""

    exit_code = 2


def _week(value: str) -> str:
    try:
        return rota.normalise_week(value)
    except rota.RotaError:
        raise BadWeek(
            f"{value.strip()[:40]!r} is not an existing ISO week; write it like 2013-W07."
        ) from None


def register(group: click.Group) -> None:
    @group.command("draft-digest")
    @click.option("--week", required=True, help="ISO week, e.g. 2013-W07.")
    @click.option("--refresh", is_flag=True, help="Recount an existing draft, keeping edits.")
    @needs_schema
    def draft_digest_command(week, refresh):
        """Draft the weekly digest of WEEK from its ticket events (the Monday job does it too)."""
        week = _week(week)
        try:
            result = draft_digest(week, refresh=refresh)
        except DigestError as exc:
            raise click.ClickException(str(exc)) from exc
        digest = result.digest
        if result.created:
            click.echo(f"Drafted the digest of {week} with {result.added} entries.")
        elif result.refreshed:
            click.echo(f"Refreshed the counts of {week}; {result.added} new entries, edits kept.")
        else:
            click.echo(
                f"The digest of {week} exists ({digest.state}); nothing changed. "
                "Use --refresh to recount it."
            )

    @group.command("publish-digest")
    @click.option("--week", required=True, help="ISO week, e.g. 2013-W07.")
    @click.option("--note", default="", help="What a correction changed.")
    @click.option(
        "--confirm",
        "--yes",
        "confirmed",
        is_flag=True,
        help="Publish even if the text looks personal (names, addresses, phone numbers).",
    )
    @needs_schema
    def publish_digest_command(week, note, confirmed):
        """Publish the working copy of WEEK's digest (and queue its e-mail). Text that looks
        personal is refused with what was found, unless --confirm says it may be public."""
        from dmsu.core.publictext import LooksPersonal
        from dmsu.digests.publishing import publish

        week = _week(week)
        digest = Digest.get_or_none(Digest.week == week)
        if digest is None:
            raise click.ClickException(f"There is no digest of {week}; draft it first.")
        try:
            revision = publish(
                digest, None, config=current_app.config, note=note, confirmed=confirmed
            )
        except LooksPersonal as found:
            lines = [f"- This looks like {f.message}" for f in found.findings]
            raise click.ClickException(
                f"Nothing was published: the digest of {week} looks personal.\n"
                + "\n".join(lines)
                + "\nEdit the digest, or publish it anyway with --confirm."
            ) from found
        except DigestError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Published the digest of {week} as revision {revision.number}.")

    @group.command("generate-rota")
    @click.option("--from", "start", required=True, help="First ISO week, e.g. 2013-W07.")
    @click.option("--weeks", default=12, show_default=True, type=click.IntRange(1, 520))
    @click.option("--overwrite", is_flag=True, help="Also reassign weeks already set.")
    @needs_schema
    def generate_rota_command(start, weeks, overwrite):
        """Fill the shift rota round robin among the active assigners."""
        start = _week(start)
        try:
            shifts = rota.generate_rota(start, weeks, overwrite=overwrite)
        except rota.RotaError as exc:
            raise click.ClickException(str(exc)) from exc
        for shift in shifts:
            click.echo(f"{shift.week}  {shift.user.username}")
