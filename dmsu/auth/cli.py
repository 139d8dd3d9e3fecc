"""``flask dmsu create-user`` and ``set-password``."""

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

    @group.command("set-password")
    @click.argument("name")
    @click.option("--password-file", type=click.Path(dir_okay=False, path_type=Path))
    @needs_schema
    def set_password(name, password_file):
        """Set a new password for an account (prompted unless --password-file); every session
        of the account ends."""
        from dmsu.auth.models import User

        user = User.get_or_none(User.username == name)
        if user is None:
            raise click.ClickException(f"There is no user named '{name}'.")
        if password_file:
            password = password_file.read_text().rstrip("\n")
        else:
            password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
        try:
            accounts.set_password(user, password)
        except accounts.AccountError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"New password set for '{user.username}'; their sessions have ended.")
