"""``flask dmsu create-user``."""

from __future__ import annotations

from pathlib import Path

import click

from dmsu.auth import accounts
from dmsu.auth.models import ROLES
from dmsu.core.clitools import needs_schema


def register(group: click.Group) -> None:
    @group.command("create-user")
    @click.argument("name")
    @click.option("--role", type=click.Choice(ROLES), required=True)
    @click.option("--password-file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--display-name", default="")
    @click.option("--email", default="")
    @needs_schema
    def create_user(name, role, password_file, display_name, email):
        """Create a local account (the password is prompted unless --password-file)."""
        if password_file:
            password = password_file.read_text().rstrip("\n")
        else:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            user = accounts.create_user(
                name, role, password, display_name=display_name, email=email
            )
        except accounts.AccountError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Created {user.role} '{user.username}'.")
