"""One backup = one ``.tar`` archive:

- ``manifest.json``: format, creation time, database dialect, Alembic revision, row count of
  every table and the SHA-256 of every other member;
- ``database.sqlite3`` (SQLite: a consistent copy taken with the sqlite3 backup API while the
  app runs) or ``database.dump`` (PostgreSQL: ``pg_dump --format=custom``, one consistent
  snapshot);
- ``files/...``: every file of the instance folder other than the live SQLite database
  (e.g. ``secret_key``, checkpoints kept outside the database). Evidence and published PDFs
  are rows of the database, so they are inside the database member.

``restore`` refuses a target database that already has tables (restore only into an empty
one), checks every member's hash first, loads the database (sqlite3 backup API /
``pg_restore --single-transaction --exit-on-error --no-owner``), writes the files, then
compares the row counts with the manifest and runs the integrity check.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, make_url

from workflow_app.dbtypes import utcnow
from workflow_app.extensions import db
from workflow_app.memo import forget_all

FORMAT = "jixiao-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.dump"
FILES_PREFIX = "files/"


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message (Chinese) says why."""


@dataclass(frozen=True)
class RestoreReport:
    """What a restore did and what it checked."""

    tables: int
    rows: int
    files: int
    integrity_ok: bool
    integrity_message: str


# --------------------------------------------------------------------------- helpers


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _url() -> URL:
    return make_url(str(db.engine.url))


def _dialect() -> str:
    return db.engine.dialect.name


def row_counts(connection) -> dict[str, int]:  # noqa: ANN001
    """Rows per table (every table, alembic_version included) seen by a SQLAlchemy connection."""
    names = sorted(inspect(connection).get_table_names())
    return {name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            for name in names}


def _sqlite_counts(path: Path) -> tuple[dict[str, int], str | None]:
    """Row counts and Alembic revision of a SQLite file (the copy, not the live database)."""
    conn = sqlite3.connect(str(path))
    try:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        counts = {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]
                  for n in sorted(names)}
        revision = None
        if "alembic_version" in counts:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        return counts, revision
    finally:
        conn.close()


def _pg_args(url: URL) -> tuple[list[str], dict[str, str]]:
    """libpq connection options for pg_dump/pg_restore; the password goes in the environment."""
    args = []
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _pg_tool(name: str) -> str:
    """The newest pg_dump / pg_restore installed (a client older than the server refuses)."""
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if candidates:
        return str(candidates[-1])
    found = shutil.which(name)
    if found:
        return found
    raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端（Debian 的 postgresql-client，"
                      "scripts/system-deps.sh 会安装）。")


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} 失败：{done.stderr.strip()[-2000:]}")


def _instance_files(instance: Path, skip: set[Path]) -> list[Path]:
    if not instance.is_dir():
        return []
    files = []
    for path in sorted(instance.rglob("*")):
        if not path.is_file() or path.resolve() in skip:
            continue
        if path.name.endswith(("-wal", "-shm", "-journal")) and \
                Path(str(path)[: -len(path.name.rsplit("-", 1)[1]) - 1]).resolve() in skip:
            continue
        files.append(path)
    return files


def _sqlite_path(url: URL) -> Path | None:
    database = url.database
    if not database or database == ":memory:":
        return None
    return Path(database).resolve()


# --------------------------------------------------------------------------- create


def create_backup(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Write the backup archive to ``path``; returns its manifest."""
    target = Path(path)
    if target.exists() and target.is_dir():
        raise BackupError(f"{target} 是一个目录：请给出备份文件的路径，例如 {target}/jixiao.tar")
    target.parent.mkdir(parents=True, exist_ok=True)
    url = _url()
    dialect = _dialect()
    instance = Path(current_app.instance_path)
    with tempfile.TemporaryDirectory(prefix="jixiao-backup-") as tmp:
        work = Path(tmp)
        db.session.rollback()
        skip: set[Path] = set()
        if dialect == "sqlite":
            source = _sqlite_path(url)
            if source is None:
                raise BackupError("内存中的 SQLite 数据库无法备份。")
            skip.add(source)
            member = SQLITE_MEMBER
            copy = work / member
            src = sqlite3.connect(str(source))
            dst = sqlite3.connect(str(copy))
            try:
                src.backup(dst)  # a consistent snapshot even while the app writes
            finally:
                dst.close()
                src.close()
            counts, revision = _sqlite_counts(copy)  # counted in the copy itself
        elif dialect == "postgresql":
            member = PG_MEMBER
            copy = work / member
            args, env = _pg_args(url)
            # The counts and the dump read one exported snapshot, so they agree exactly even
            # while the app keeps writing.
            with db.engine.connect() as conn:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                    counts = row_counts(conn)
                    revision = conn.execute(
                        text("SELECT version_num FROM alembic_version")).scalar() \
                        if "alembic_version" in counts else None
                    _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner",
                          "--no-privileges", f"--snapshot={snapshot}", "--file", str(copy),
                          *args, "--dbname", str(url.database)], env)
        else:
            raise BackupError(f"不支持的数据库：{dialect}")
        files = _instance_files(instance, skip)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": utcnow().isoformat(),
            "dialect": dialect,
            "alembic_revision": revision,
            "row_counts": counts,
            "members": {member: _sha256_file(copy)},
            "database_member": member,
        }
        for file in files:
            manifest["members"][FILES_PREFIX + file.relative_to(instance).as_posix()] = \
                _sha256_file(file)
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(utcnow().timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(copy, arcname=member)
            for file in files:
                tar.add(file, arcname=FILES_PREFIX + file.relative_to(instance).as_posix())
        os.chmod(partial, 0o600)  # it holds every evaluation and any key in instance/
        partial.replace(target)  # never a half-written archive under the final name
    return manifest


# --------------------------------------------------------------------------- restore


def _read_archive(path: Path, into: Path) -> dict[str, Any]:
    if not path.is_file():
        raise BackupError(f"找不到备份文件 {path}")
    try:
        with tarfile.open(path, "r") as tar:
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"备份文件无法读取：{exc}") from None
    try:
        manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError("备份文件缺少有效的 manifest.json，不是本系统的备份。") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式：{manifest.get('format')!r}")
    for name, digest in (manifest.get("members") or {}).items():
        member = into / name
        if not member.is_file() or _sha256_file(member) != digest:
            raise BackupError(f"备份文件已损坏：{name} 的校验值不符，已停止恢复，未做任何改动。")
    return manifest


def _target_is_empty() -> bool:
    return not inspect(db.engine).get_table_names()


def restore_backup(path: str | os.PathLike[str]) -> RestoreReport:
    """Restore the archive into the configured database, which must be empty (no tables)."""
    dialect = _dialect()
    url = _url()
    db.session.rollback()
    if not _target_is_empty():
        raise BackupError("目标数据库不是空的（已有数据表）：恢复只能在空数据库上进行，"
                          "以免覆盖现有数据。请新建一个空数据库并将 DATABASE_URL 指向它。")
    with tempfile.TemporaryDirectory(prefix="jixiao-restore-") as tmp:
        work = Path(tmp)
        manifest = _read_archive(Path(path), work)
        if manifest["dialect"] != dialect:
            raise BackupError(f"该备份来自 {manifest['dialect']} 数据库，不能恢复到 {dialect}。")
        member = work / manifest["database_member"]
        db.session.remove()
        db.engine.dispose()
        forget_all()  # what this process derived from the database it replaces
        if dialect == "sqlite":
            target = _sqlite_path(url)
            if target is None:
                raise BackupError("不能恢复到内存中的 SQLite 数据库。")
            src = sqlite3.connect(str(member))
            dst = sqlite3.connect(str(target))
            try:
                src.backup(dst)
            finally:
                dst.close()
                src.close()
        else:
            args, env = _pg_args(url)
            _run([_pg_tool("pg_restore"), "--single-transaction", "--exit-on-error",
                  "--no-owner", "--no-privileges", *args, "--dbname", str(url.database),
                  str(member)], env)
        instance = Path(current_app.instance_path)
        files = 0
        for name in manifest["members"]:
            if not name.startswith(FILES_PREFIX):
                continue
            relative = Path(name[len(FILES_PREFIX):])
            if relative.is_absolute() or ".." in relative.parts:
                continue
            destination = instance / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(work / name, destination)
            files += 1
    with db.engine.connect() as conn:
        counts = row_counts(conn)
    expected = manifest["row_counts"]
    if counts != expected:
        differing = sorted(k for k in set(counts) | set(expected)
                           if counts.get(k) != expected.get(k))
        raise BackupError(f"恢复后的行数与备份记录不一致：{', '.join(differing)}")
    from workflow_app.jobs.tasks import integrity_check

    result = integrity_check()
    return RestoreReport(tables=len(counts), rows=sum(counts.values()), files=files,
                         integrity_ok=result["ok"], integrity_message=result["message"])
