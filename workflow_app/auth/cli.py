"""`flask users ...`: tokens, passwords, unlocking and role grants on the command line.

The command line is the operator's (who runs it has the server), so there is no actor user:
the audit events say ``cli``. Each command commits once, at the end.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from workflow_app.extensions import db


def _user(username: str):
    from workflow_app.auth.models import User

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"找不到用户 {username}")
    return user


def _fail(exc) -> click.ClickException:  # noqa: ANN001
    db.session.rollback()
    return click.ClickException(str(exc))


def add_user_commands(group: AppGroup) -> None:
    """Attach the commands to the `users` group."""

    @group.command("token")
    @click.argument("username")
    @click.option("--days", type=int, default=None, help="有效期（天），默认 90，最长 365")
    @click.option("--label", default="", help="用途说明")
    def token_command(username: str, days: int | None, label: str) -> None:
        """Issue an API bearer token for USERNAME and print it (shown once)."""
        from workflow_app.auth.tokens import issue_token
        from workflow_app.evaluations.operations import ValidationFailed

        try:
            _row, token = issue_token(_user(username), None, days=days, label=label, via="cli")
        except ValidationFailed as exc:
            raise _fail(exc) from None
        db.session.commit()
        click.echo(token)

    @group.command("tokens")
    @click.argument("username")
    def tokens_command(username: str) -> None:
        """List the API tokens of USERNAME (id, status, expiry, last use)."""
        from workflow_app.auth.tokens import tokens_of

        for t in tokens_of(_user(username)):
            last = t.last_used_at.isoformat(timespec="seconds") if t.last_used_at else "-"
            expires = t.expires_at.isoformat(timespec="seconds")
            click.echo(f"{t.id}\t{t.status_label}\t到期 {expires}\t最后使用 {last}\t{t.label}")

    @group.command("revoke-token")
    @click.argument("token_id", type=int)
    def revoke_token_command(token_id: int) -> None:
        """Revoke the API token with this id."""
        from workflow_app.auth.models import ApiToken
        from workflow_app.auth.tokens import revoke_token

        row = db.session.get(ApiToken, token_id)
        if row is None:
            raise click.ClickException(f"找不到令牌 {token_id}")
        if not revoke_token(row, None):
            raise click.ClickException(f"令牌 {token_id} 早已吊销")
        db.session.commit()
        click.echo(f"已吊销令牌 {token_id}（{row.user.username}）")

    @group.command("set-password")
    @click.argument("username")
    @click.password_option()
    def set_password_command(username: str, password: str) -> None:
        """Set the password of USERNAME (policy checked; every session and token ends)."""
        from workflow_app.auth.passwords import change_password
        from workflow_app.evaluations.operations import ValidationFailed

        user = _user(username)
        try:
            change_password(user, password, current=None)
        except ValidationFailed as exc:
            raise _fail(exc) from None
        db.session.commit()
        click.echo(f"已更新 {username} 的密码")

    @group.command("reset-password")
    @click.argument("username")
    def reset_password_command(username: str) -> None:
        """Give USERNAME a temporary password (printed once) to change at the next login."""
        from workflow_app.auth.passwords import reset_password

        temporary = reset_password(None, _user(username))
        db.session.commit()
        click.echo(temporary)

    @group.command("unlock")
    @click.argument("username")
    def unlock_command(username: str) -> None:
        """Lift the lockout of USERNAME after repeated failed logins."""
        from workflow_app.auth.login import unlock

        user = _user(username)
        was_locked = unlock(user, None)
        db.session.commit()
        click.echo(f"已解锁 {username}" if was_locked else f"{username} 未被锁定")

    @group.command("grant")
    @click.argument("username")
    @click.argument("roles", nargs=-1)
    def grant_command(username: str, roles: tuple[str, ...]) -> None:
        """Set the global roles of USERNAME (any of: preparer finance_officer admin
        security_admin audit_admin; none clears them). Bootstraps the first administrators."""
        from workflow_app.auth.roles import ROLES, set_roles
        from workflow_app.evaluations.operations import ValidationFailed

        unknown = [r for r in roles if r not in ROLES]
        if unknown:
            raise click.ClickException(f"未知角色：{'、'.join(unknown)}；可用：{' '.join(ROLES)}")
        try:
            set_roles(None, _user(username), {r: (r in roles) for r in ROLES})
        except ValidationFailed as exc:
            raise _fail(exc) from None
        db.session.commit()
        click.echo(f"{username} 的角色：{'、'.join(roles) or '（无）'}")
