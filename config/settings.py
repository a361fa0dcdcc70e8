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
    # PostgreSQL: the tables' owner, for `flask db upgrade` (and `flask db grant-app-role`);
    # DATABASE_URL is then the application's role, which owns nothing (workflow_app.dbroles,
    # docs/deployment.md). Unset: migrations use DATABASE_URL (SQLite, development).
    MIGRATION_DATABASE_URI: str | None = os.environ.get("MIGRATION_DATABASE_URL")
    # hide_parameters: SQL parameters (password hashes, personal data) never reach a log or an
    # error message, whatever the failure.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # There is no "remember me" any more; should a remember cookie ever be set, it is short.
    REMEMBER_COOKIE_DURATION = 7 * 24 * 3600
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

    # Login and sessions (等保2.0 三级: 登录失败处理, 会话超时). Minutes unless named otherwise.
    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
    LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
    # Failed logins from one address, over all accounts, before the address is throttled (429).
    LOGIN_ADDRESS_LIMIT = os.environ.get("LOGIN_ADDRESS_LIMIT", "10 per 15 minutes")
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
    SESSION_ABSOLUTE_HOURS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12"))
    # The cookie expires with the absolute lifetime and is re-sent only when the session
    # changed (login, the last-seen time every 30 s): a static file's response never carries
    # one, so a response still in flight cannot bring back a cookie the browser just dropped.
    PERMANENT_SESSION_LIFETIME = SESSION_ABSOLUTE_HOURS * 3600
    SESSION_REFRESH_EACH_REQUEST = False
    API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "90"))
    API_TOKEN_MAX_DAYS = 365
    PASSWORD_HISTORY = 5  # a new password may not be one of the last five
    AUDIT_RETENTION_DAYS = 180  # 网络安全法: logs are kept at least six months
    # The audit chain's head is checkpointed outside the database every N events (0 = only on
    # demand and nightly) into an append-only file (default <instance>/audit-checkpoints.jsonl).
    AUDIT_CHECKPOINT_EVERY = int(os.environ.get("AUDIT_CHECKPOINT_EVERY", "100"))
    AUDIT_CHECKPOINT_PATH = os.environ.get("AUDIT_CHECKPOINT_PATH") or None

    # Flask-Limiter on the machines' Redis; when Redis is down, limits fall back to memory.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL
    RATELIMIT_KEY_PREFIX = "jixiao"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN", "30 per minute")
    RATELIMIT_VERIFY = os.environ.get("RATELIMIT_VERIFY", "30 per minute")
    RATELIMIT_UPLOAD = os.environ.get("RATELIMIT_UPLOAD", "60 per minute")
    RATELIMIT_API = os.environ.get("RATELIMIT_API", "600 per minute")

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
    MIGRATION_DATABASE_URI = None  # tests/conftest.py sets both URLs on PostgreSQL
    WTF_CSRF_ENABLED = True
    JOBS_MODE = "sync"  # a test that wants the real queue says so
    # Limits live in this process only; the one test of the real Redis says so and sets it.
    RATELIMIT_STORAGE_URI = "memory://"


class ProductionConfig(BaseConfig):
    """Production: PostgreSQL via DATABASE_URL and a real SECRET_KEY are required."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    JOBS_MODE = os.environ.get("JOBS_MODE", "rq")
    JSON_REQUEST_LOG = os.environ.get("JSON_REQUEST_LOG", "1") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE

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
