"""Issue 9 item 7: with HASH_ALGORITHM=sm3 a revision's content hash is SM3 and says so; the
whole journey (submit, sign, approve, accept, publish) passes the integrity check."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.workflow.helpers import S, build_world
from workflow_app.extensions import db
from workflow_app.integrity import hashing, verify
from workflow_app.workflow.models import Revision, Signature


@pytest.mark.parametrize("algorithm", ["sm3", "sha256"])
def test_a_journey_under_each_algorithm(algorithm, app, ctx, make):
    app.config["HASH_ALGORITHM"] = algorithm
    try:
        world = build_world(make)
        world.go(S.PUBLISHED)
        db.session.commit()
        revision = db.session.scalar(select(Revision))
        assert revision.hash_algorithm == algorithm
        assert revision.content_hash == hashing.hexdigest(revision.snapshot.encode(), algorithm)
        assert revision.mac_key_id.endswith(":" + algorithm)
        assert all(s.content_hash == revision.content_hash
                   for s in db.session.scalars(select(Signature)))
        report = verify.run()
        assert report.ok, report.lines()
    finally:
        app.config.pop("HASH_ALGORITHM", None)
