"""Issue 9 item 7: with HASH_ALGORITHM=sm3 a revision's content hash is SM3 and says so; the
whole journey (submit, sign, approve, accept, publish) passes the integrity check."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.workflow.helpers import S, build_world
from workflow_app.extensions import db
from workflow_app.integrity import hashing, verify
from workflow_app.public.models import PublishedReport
from workflow_app.public.publication import report_record
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
        # The public verify page and the printed cover name the algorithm the hash was made with.
        code = db.session.scalar(select(PublishedReport.verification_code))
        page = app.test_client().get(f"/public/verify/{code}")
        assert page.status_code == 200
        assert f"内容摘要（{hashing.label(algorithm)}）" in page.get_data(as_text=True)
        record = report_record(world.evaluation, revision, draft=False)
        assert record["hash_algorithm"] == algorithm
    finally:
        app.config.pop("HASH_ALGORITHM", None)
