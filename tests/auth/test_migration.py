"""The login-security migration upgrades a database that already has users and API tokens:
nobody is locked or forced to change a password, old tokens get a 90-day term from their
creation, and a system administrator who also held a business role keeps only the latter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.migrating import app_on, revision_before, scratch_database
from workflow_app.extensions import db

REVISION = "a4d9c2e7f150"


@pytest.fixture
def scratch_url(tmp_path, worker_id):
    with scratch_database(tmp_path, worker_id, "authmig") as url:
        yield url


def test_upgrade_keeps_existing_users_and_tokens_working(scratch_url):
    from flask_migrate import upgrade

    app = app_on(scratch_url)
    with app.app_context():
        upgrade(revision=revision_before(app, REVISION))
        db.session.execute(text(
            "INSERT INTO units (id, name, short_name, kind, supervising_department) "
            "VALUES (1, '某财政局', '财政局', 'finance_bureau', '')"))
        db.session.execute(text(
            "INSERT INTO users (id, username, name, unit_id, position, title, phone, email, "
            "password_hash, active, is_preparer, is_finance_officer, is_admin, created_at) "
            "VALUES (1, 'old_admin', '老管理员', 1, '', '', '', '', 'x', true, false, true, "
            "true, '2026-01-01 00:00:00')"))
        db.session.execute(text(
            "INSERT INTO api_tokens (id, user_id, token_hash, created_at) "
            f"VALUES (1, 1, '{'a' * 64}', '2026-11-20 08:00:00')"))
        db.session.commit()
        upgrade()
        user = db.session.execute(text(
            "SELECT is_admin, is_finance_officer, failed_logins, session_epoch, "
            "must_change_password, is_demo FROM users")).one()
        assert tuple(user) == (False, True, 0, 0, False, False)
        from workflow_app.auth.models import ApiToken

        token = db.session.get(ApiToken, 1)
        assert token.expires_at - token.created_at == timedelta(days=90)
        assert token.revoked_at is None and token.label == ""
        db.session.remove()
        db.engine.dispose()
