"""Unknown and real usernames take the same time (issue 9: 12 ms against 165 ms, enumeration by
timing). The hash check runs in both cases; compared by medians with a generous factor."""

from __future__ import annotations

import statistics
import time

from tests.auth.conftest import post_login

# A deliberately slow hash, so the hash check dominates the request as scrypt does in production.
SLOW = "pbkdf2:sha256:200000"


def test_unknown_and_real_usernames_take_the_same_time(client, make, db_session, settings):
    settings(PASSWORD_HASH_METHOD=SLOW, LOGIN_MAX_FAILURES=1000,
             LOGIN_ADDRESS_LIMIT="1000 per 15 minutes", RATELIMIT_LOGIN="1000 per minute")
    make.user(username="known")
    db_session.commit()
    post_login(client, "warm-up", "x")

    def timed(username):
        start = time.perf_counter()
        post_login(client, username, "wrong-password")
        return time.perf_counter() - start

    unknown, real = [], []
    for i in range(7):
        unknown.append(timed(f"ghost{i}"))
        real.append(timed("known"))
    ratio = statistics.median(real) / statistics.median(unknown)
    assert 0.5 < ratio < 2, f"real {statistics.median(real):.4f}s, unknown " \
                            f"{statistics.median(unknown):.4f}s"
