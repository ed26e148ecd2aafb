"""The SQL of ``haochaping db roles`` (core.dbroles), without a database."""

from __future__ import annotations

import pytest

from haochaping.core.dbroles import Protected, roles_sql

PROTECTED = [Protected("evaluations_evaluation", ("is_current", "superseded_at")),
             Protected("audit_auditevent", ())]


def _sql() -> str:
    return "\n".join(roles_sql(database="hcp", owner="hcp_owner", runtime="hcp_app",
                               protected=PROTECTED))


def test_the_runtime_role_gets_insert_only_grants_on_protected_tables() -> None:
    sql = _sql()
    assert 'GRANT SELECT, INSERT ON "public"."evaluations_evaluation" TO "hcp_app";' in sql
    assert ('GRANT UPDATE ("is_current", "superseded_at") ON "public"."evaluations_evaluation" '
            'TO "hcp_app";') in sql
    assert 'GRANT SELECT, INSERT ON "public"."audit_auditevent" TO "hcp_app";' in sql
    assert 'UPDATE ("' not in sql.split('"public"."audit_auditevent"')[-1]
    assert 'GRANT SELECT ON "public"."django_migrations" TO "hcp_app";' in sql
    # the protected grants come after the schema-wide ones they narrow
    assert sql.index("ON ALL TABLES IN SCHEMA") < sql.index('REVOKE ALL ON "public"."audit')


def test_the_owner_owns_everything_and_the_runtime_role_nothing() -> None:
    sql = _sql()
    assert 'ALTER DATABASE "hcp" OWNER TO "hcp_owner";' in sql
    assert "OWNER TO %I', r.name, 'hcp_owner')" in sql
    assert 'CREATE ROLE "hcp_app" LOGIN NOSUPERUSER' in sql
    assert 'ALTER ROLE "hcp_app" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION ' \
           'NOBYPASSRLS NOINHERIT;' in sql
    assert "hcp_app" not in sql.split("OWNER TO")[1]


@pytest.mark.parametrize(("owner", "runtime"), [
    ("Owner", "app"), ("owner", "app; DROP TABLE x"), ("1owner", "app"), ("same", "same"),
    ("o" * 64, "app"),
])
def test_bad_role_names_are_refused(owner: str, runtime: str) -> None:
    with pytest.raises(ValueError, match="role"):
        roles_sql(database="hcp", owner=owner, runtime=runtime, protected=PROTECTED)
