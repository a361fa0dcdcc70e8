"""gunicorn settings, read from the environment (``make serve``; docs/deployment.md).

- ``BIND`` (default ``127.0.0.1:$PORT``, PORT default 8000)
- ``WEB_CONCURRENCY`` worker processes (default 2), ``GUNICORN_THREADS`` threads each (default
  4: a worker waiting on PostgreSQL or Redis serves another request meanwhile)
- ``GUNICORN_TIMEOUT`` (default 60 s: PDFs render in the job worker, not in requests)
- ``GRACEFUL_TIMEOUT`` (default 30 s): on SIGTERM gunicorn stops accepting, lets the requests
  in flight finish for that long, then exits — a rolling restart loses no request.

Request logs are the app's JSON lines on stdout (``workflow_app.serving.requestlog``), so
gunicorn's own access log is off; its error log goes to stderr.
"""

import os

bind = os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", "30"))
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))  # 0: never recycle
max_requests_jitter = max_requests // 10
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# Forwarded headers are handled by the app's ProxyFix (TRUSTED_PROXIES), not by gunicorn.
forwarded_allow_ips = "127.0.0.1"
proc_name = "jixiao-ziping"
# gunicorn's runtime control socket has one default path per user: several instances on one
# machine would fight over it, and nothing here uses it.
control_socket_disable = True


def _without_server_banner() -> None:
    """gunicorn writes "Server: gunicorn" into every response and has no setting to leave it
    out (等保 asks for no server banner; the app drops its own in security/headers.py). The
    config file runs in the master before the workers fork, so they inherit this."""
    from gunicorn.http import wsgi

    if getattr(wsgi.Response.default_headers, "_without_server", False):
        return
    original = wsgi.Response.default_headers

    def default_headers(self):  # noqa: ANN001, ANN202
        return [h for h in original(self) if not h.lower().startswith("server:")]

    default_headers._without_server = True
    wsgi.Response.default_headers = default_headers


_without_server_banner()

