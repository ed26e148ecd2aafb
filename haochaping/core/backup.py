"""Backup and restore of a PostgreSQL deployment with PostgreSQL's own tools (``pg_dump``
custom format, ``pg_restore``): ``haochaping db backup`` / ``db restore``
(docs/security.md "Backup and restore").

The connection of the backup is the application's (``DATABASE_URL``), handed to the tools
through libpq's environment (``PGHOST`` … ``PGPASSWORD``), never on a command line. A
restore goes into a fresh, empty database only, in one transaction, without the source's
owners and grants (run ``haochaping db roles --apply`` on the new database afterwards).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import psycopg


class BackupError(RuntimeError):
    """A tool is missing, failed, or the target is not a fresh database."""


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"找不到 {name}（请安装与服务器同版本的 PostgreSQL 客户端）")
    return path


def libpq_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The environment that points libpq's tools at Django's database connection."""
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                          ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):
        value = settings_dict.get(key)
        if value:
            env[variable] = str(value)
    return env


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} 失败：{done.stderr.strip()[-2000:]}")


def backup(settings_dict: dict[str, Any], out: Path) -> None:
    """``pg_dump --format=custom`` of the database into ``out`` (refuses to overwrite):
    one consistent snapshot, taken while the application keeps running."""
    if out.exists():
        raise BackupError(f"{out} 已存在，不覆盖")
    partial = out.with_name(out.name + ".partial")
    try:
        _run([_tool("pg_dump"), "--format=custom", "--file", str(partial)],
             libpq_env(settings_dict))
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)


def _tables_in(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as connection:
        row = connection.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
                                 ).fetchone()
    return int(row[0]) if row else 0


def restore(dump: Path, into: str) -> None:
    """``pg_restore`` of ``dump`` into the empty database ``into`` (a libpq URL), in one
    transaction: all of it or nothing."""
    if not dump.is_file():
        raise BackupError(f"{dump} 不存在")
    try:
        tables = _tables_in(into)
    except psycopg.Error as exc:
        raise BackupError(f"无法连接目标数据库：{exc}") from exc
    if tables:
        raise BackupError(f"目标数据库已有 {tables} 张表：只恢复到新建的空数据库")
    _run([_tool("pg_restore"), "--single-transaction", "--exit-on-error", "--no-owner",
          "--no-privileges", "--dbname", into, str(dump)])
