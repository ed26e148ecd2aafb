"""Checking a PostgreSQL deployment's roles against ``haochaping db roles`` (``--check``):
the runtime role owns nothing and cannot rewrite an insert-only table, whose guard
triggers are installed and enabled."""

from __future__ import annotations

from typing import Any

from haochaping.core import records
from haochaping.core.dbroles import role_name

_OWNS = """
SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND pg_has_role(%s, c.relowner, 'MEMBER') ORDER BY 1 LIMIT 5"""
_ROLE = ("SELECT rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb FROM pg_roles "
         "WHERE rolname = %s")


def runtime_problems(connection: Any, runtime: str, schema: str = "public") -> list[str]:
    """What lets the runtime role rewrite history (Chinese, one line each); [] = none."""
    runtime = role_name(runtime)
    problems: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute(_ROLE, [runtime])
        row = cursor.fetchone()
        if row is None:
            return [f"角色 {runtime} 不存在"]
        if row[0]:
            problems.append(f"角色 {runtime} 具有超级用户、BYPASSRLS、CREATEROLE 或 CREATEDB 权限")
        cursor.execute(_OWNS, [schema, runtime])
        owned = [name for (name,) in cursor.fetchall()]
        if owned:
            problems.append(f"角色 {runtime} 拥有（或继承）表的所有权：{'、'.join(owned)}")
        for guard in records.insert_only_tables():
            table = f"{schema}.{guard.table}"
            for privilege in ("DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"):
                cursor.execute("SELECT has_table_privilege(%s, %s, %s)",
                               [runtime, table, privilege])
                if cursor.fetchone()[0]:
                    problems.append(f"角色 {runtime} 对 {guard.table} 有 {privilege} 权限")
            cursor.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                "AND NOT attisdropped AND has_column_privilege(%s, attrelid, attnum, 'UPDATE') "
                "ORDER BY attnum", [table, runtime])
            updatable = [name for (name,) in cursor.fetchall() if name not in guard.markers]
            if updatable:
                problems.append(f"角色 {runtime} 可以修改 {guard.table} 的 "
                                f"{'、'.join(updatable)}")
            if not records.installed(connection, guard):
                problems.append(f"{guard.table} 的只增触发器缺失或被停用")
    return problems
