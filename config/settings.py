"""Settings classes, read from the environment.

`create_app()` picks one by `APP_ENV` (development, testing, production). Production refuses to
start without a `SECRET_KEY`; development and testing fall back to a throw-away key.
"""

from __future__ import annotations

import os


class ConfigError(RuntimeError):
    """Raised when the environment does not describe a runnable configuration."""


class BaseConfig:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    # None means "a SQLite file in the instance folder"; create_app fills it in.
    SQLALCHEMY_DATABASE_URI: str | None = os.environ.get("DATABASE_URL")
    # hide_parameters: SQL parameters (password hashes, personal data) never reach a log or an
    # error message, whatever the failure.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a long form-filling session must not expire the token
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    MAIL_SERVER: str | None = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "jixiao@localhost")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    # Redis: the job queue (RQ), rate limits and caches (docs/deployment.md).
    REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    # Unset: "jixiao-" + a digest of the database URL, so two deployments (or developers)
    # sharing one Redis never take each other's jobs (workflow_app.jobs.queue.queue_name).
    RQ_QUEUE = os.environ.get("RQ_QUEUE") or None
    # "rq": jobs go to the Redis queue for `make worker`; "sync": they run in the process right
    # after the commit (development server and unit tests, where no worker runs).
    JOBS_MODE = os.environ.get("JOBS_MODE", "sync")
    # One JSON line per request on stdout (production; the tests switch it on when they look).
    JSON_REQUEST_LOG = os.environ.get("JSON_REQUEST_LOG", "0") == "1"

    @classmethod
    def check(cls) -> None:
        """Raise ConfigError when a required setting is missing."""


class DevelopmentConfig(BaseConfig):
    """Local development: a fixed, clearly insecure key is acceptable."""

    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key"


class TestingConfig(BaseConfig):
    """The test suite: an in-process database chosen by TEST_DATABASE_URL."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-key"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # speed only; production uses scrypt
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    WTF_CSRF_ENABLED = True
    JOBS_MODE = "sync"  # a test that wants the real queue says so


class ProductionConfig(BaseConfig):
    """Production: PostgreSQL via DATABASE_URL and a real SECRET_KEY are required."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    JOBS_MODE = os.environ.get("JOBS_MODE", "rq")
    JSON_REQUEST_LOG = os.environ.get("JSON_REQUEST_LOG", "1") == "1"

    @classmethod
    def check(cls) -> None:
        """Refuse to run without a secret key."""
        if not os.environ.get("SECRET_KEY"):
            raise ConfigError("生产环境必须设置 SECRET_KEY 环境变量 (SECRET_KEY is required)")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None) -> type[BaseConfig]:
    """Return the settings class for an environment name (default: development)."""
    name = (name or os.environ.get("APP_ENV") or "development").lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigError(f"未知的运行环境 APP_ENV={name!r}") from None
