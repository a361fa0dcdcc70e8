"""The one test that uses the real Redis (REDIS_URL, default redis://127.0.0.1:6379/0), as the
machines do: two application instances share the failed-login count of an address, so an
attacker gains nothing by spreading attempts over gunicorn workers or servers."""

from __future__ import annotations

import os
import uuid

import redis

from tests.auth.conftest import post_login
from tests.factories import PASSWORD


def test_two_instances_share_the_address_throttle_through_redis(app, database_url, make,
                                                                db_session):
    from workflow_app import create_app

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    prefix = f"jixiao-test-{uuid.uuid4().hex[:8]}"
    overrides = {"SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False,
                 "SERVER_NAME": "localhost.test", "RATELIMIT_STORAGE_URI": url,
                 "RATELIMIT_KEY_PREFIX": prefix, "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": False,
                 "LOGIN_ADDRESS_LIMIT": "4 per 15 minutes"}
    first, second = create_app("testing", overrides), create_app("testing", overrides)
    make.user(username="target")
    db_session.commit()
    store = redis.Redis.from_url(url)
    try:
        a, b = first.test_client(), second.test_client()
        assert post_login(a, "target", "wrong-1").status_code == 200
        assert post_login(b, "target", "wrong-2").status_code == 200
        assert post_login(a, "other", "wrong-3").status_code == 200
        assert post_login(b, "other", "wrong-4").status_code == 200
        assert post_login(a, "target", PASSWORD).status_code == 429
        assert post_login(b, "target", PASSWORD).status_code == 429
        assert store.keys(f"*{prefix}*"), "the counters live in Redis"
    finally:
        for key in store.keys(f"*{prefix}*"):
            store.delete(key)
        for instance in (first, second):
            with instance.app_context():
                from workflow_app.extensions import db

                db.engine.dispose()
