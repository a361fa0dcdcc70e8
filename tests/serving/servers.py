"""Real gunicorn processes (and RQ workers) for the serving and queue tests.

Each process gets the test's database and Redis through the environment, exactly as
``make serve`` / ``make worker`` would; nothing is shared in memory with the test.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
SECRET = "two-instances-share-this-secret-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production process on the test's database."""
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL",)}
    env.update({
        "APP_ENV": "production",
        "SECRET_KEY": SECRET,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url(),
        "SESSION_COOKIE_SECURE": "0",
        "JSON_REQUEST_LOG": "1",
        "JOBS_MODE": "rq",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Instance:
    """One gunicorn process serving ``wsgi:app``."""

    port: int
    process: subprocess.Popen
    log_path: Path
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, *, body: bytes | None = None,
                headers: dict[str, str] | None = None,
                cookies: dict[str, str] | None = None) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = dict(headers or {})
        jar = cookies if cookies is not None else {}
        if jar:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        conn.request(method, path, body=body, headers=sent)
        raw = conn.getresponse()
        data = raw.read()
        for name, value in raw.getheaders():
            if name.lower() == "set-cookie":
                cookie = value.split(";", 1)[0]
                key, _, val = cookie.partition("=")
                jar[key.strip()] = val.strip()
        conn.close()
        return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, data)

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        """SIGTERM (graceful shutdown) and wait for the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start_gunicorn(database_url: str, log_dir: Path, **extra: str) -> Instance:
    """Start ``gunicorn -c gunicorn.conf.py wsgi:app`` on a free port; wait until it answers."""
    port = free_port()
    log_path = log_dir / f"gunicorn-{port}.log"
    env = server_env(database_url, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1",
                     GUNICORN_THREADS="2", **extra)
    out = open(log_path, "wb")  # noqa: SIM115  (closed with the process)
    process = subprocess.Popen([str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                               cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    instance = Instance(port, process, log_path)
    for _ in range(600):  # a bounded wait for start-up, not a timing assertion
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{instance.log()}")
        with contextlib.suppress(OSError):
            if instance.get("/healthz").status == 200:
                return instance
        time.sleep(0.1)
    instance.stop()
    raise RuntimeError(f"gunicorn did not answer:\n{instance.log()}")


def login(instance: Instance, username: str, password: str) -> dict[str, str]:
    """Log in through the real form (CSRF token included); returns the session cookies."""
    jar: dict[str, str] = {}
    page = instance.get("/login", cookies=jar)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text) or \
        re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    assert token, page.text[:500]
    from urllib.parse import urlencode

    body = urlencode({"csrf_token": token.group(1), "username": username,
                      "password": password}).encode()
    answer = instance.request("POST", "/login", body=body, cookies=jar, headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status == 302, answer.text[:500]
    return jar


def run_worker_burst(database_url: str, queue: str, **extra: str) -> str:
    """Run ``flask jobs worker --burst`` (a real RQ worker process) until the queue is empty."""
    env = server_env(database_url, RQ_QUEUE=queue, **extra)
    done = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "workflow_app", "jobs", "worker", "--burst"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return output
