"""Probes for the load balancer, request ids and the JSON request log (in-process)."""

from __future__ import annotations

import json

import pytest

from workflow_app import create_app


def test_healthz_answers_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ok_when_database_and_redis_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["checks"] == {"database": "ok", "redis": "ok"}


def test_readyz_is_503_when_redis_is_unreachable(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] != "ok"


def test_readyz_is_503_when_the_database_is_unreachable(database_url, tmp_path):
    broken = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": "postgresql://nobody@127.0.0.1:1/none"
        if database_url.startswith("postgres") else
        "sqlite:///" + str(tmp_path / "missing-dir" / "db.sqlite3"),
    })
    response = broken.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"] != "ok"


def test_request_id_is_honoured_and_returned(client):
    given = client.get("/healthz", headers={"X-Request-ID": "lb-1234.abc"})
    assert given.headers["X-Request-ID"] == "lb-1234.abc"
    made = client.get("/healthz")
    assert len(made.headers["X-Request-ID"]) == 32
    # Something that is not a sane token (a header injection attempt) is replaced.
    odd = client.get("/healthz", headers={"X-Request-ID": "x" * 300})
    assert odd.headers["X-Request-ID"] != "x" * 300


@pytest.fixture
def logging_app(database_url):
    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url,
                                  "JSON_REQUEST_LOG": True})


def test_each_request_is_one_json_line_on_stdout(logging_app, capsys):
    client = logging_app.test_client()
    capsys.readouterr()
    client.get("/healthz?q=secret", headers={"X-Request-ID": "req-42"})
    client.get("/no-such-page")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()
             if line.startswith("{")]
    assert [(line["path"], line["status"]) for line in lines] == [
        ("/healthz", 200), ("/no-such-page", 404)]
    first = lines[0]
    assert first["request_id"] == "req-42"
    assert first["method"] == "GET"
    assert "secret" not in json.dumps(first)  # the query string is not logged
    assert isinstance(first["duration_ms"], float)
    assert first["level"] == "info" and first["time"].endswith("+00:00")
