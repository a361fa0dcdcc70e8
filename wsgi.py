"""The WSGI entry point for gunicorn (``make serve``): ``gunicorn -c gunicorn.conf.py wsgi:app``.

The environment chooses everything (docs/deployment.md): ``APP_ENV`` (production by default
here), ``SECRET_KEY`` (required in production), ``DATABASE_URL``, ``REDIS_URL``... Behind
nginx set ``TRUSTED_PROXIES=1`` so the client's address and scheme come from the
``X-Forwarded-*`` headers nginx sets (and from nobody else).
"""

from __future__ import annotations

import os

from werkzeug.middleware.proxy_fix import ProxyFix

from workflow_app import create_app

app = create_app(os.environ.get("APP_ENV") or "production")

_proxies = int(os.environ.get("TRUSTED_PROXIES", "0") or 0)
if _proxies > 0:
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=_proxies, x_proto=_proxies, x_host=_proxies)
