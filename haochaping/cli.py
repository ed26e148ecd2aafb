"""The ``haochaping`` operator command.

Each sub-command is a Django management command, so the same code runs from
``python manage.py <name>`` and from here; ``haochaping <cmd> --help`` shows its options.
"""

from __future__ import annotations

import os
import sys

# sub-command words -> management command name
COMMANDS: dict[tuple[str, ...], tuple[str, str]] = {
    ("demo",): ("demo", "build the demo locality (演示数据)"),
    ("demo", "sms-reply"): ("demo_sms_reply",
                            "demo: send a rater's SMS reply to the running server's webhook"),
    ("worker",): ("worker", "run the background worker (periodic sweeps, outbox)"),
    ("padwait",): ("padwait", "run the pad wait service (evaluator pads long-poll)"),
    ("import",): ("catalog_import", "import orgs, matters, halls, windows, staff (XLSX/CSV)"),
    ("export",): ("catalog_export", "export the catalog to XLSX/CSV"),
    ("evaluations", "import-legacy"): ("legacy_import",
                                       "import a legacy satisfaction system's ratings (XLSX/CSV)"),
    ("audit", "verify"): ("audit_verify", "verify the hash chain of the audit log"),
    ("audit", "anchor"): ("audit_anchor", "print the audit chain head to record externally"),
    ("calendar", "check"): ("calendar_check", "check working-day calendar coverage"),
    ("clients",): ("api_client", "API client keys: create / rotate / deactivate / list"),
    ("rekey",): ("rekey_raters", "re-encrypt rater identities with the current field key"),
    ("privacy", "purge"): ("privacy_purge",
                           "purge personal data past its retention period (--dry-run)"),
    ("stats", "rebuild"): ("stats_rebuild", "rebuild the statistics roll-ups from raw rows"),
    ("stats", "report"): ("stats_report_generate", "generate and archive a monthly report"),
    ("stats", "verify"): ("stats_report_verify", "check archived reports against their hash"),
    ("exchange", "resend"): ("exchange_resend",
                             "补报: re-send a remote's records of a date range (and org)"),
    ("cases", "publish"): ("publish_typical_cases",
                          "store the public text of typical cases marked before it existed"),
    ("exchange", "fake-remote"): ("exchange_fake_remote",
                                  "the fake remote platform (tests, demo, integration practice)"),
    ("exchange", "check"): ("exchange_check",
                            "dry run against a remote's endpoint: validate, probe, send no data"),
    ("db", "roles"): ("db_roles", "PostgreSQL owner and runtime roles (insert-only records)"),
    ("db", "backup"): ("db_backup", "PostgreSQL backup with pg_dump"),
    ("db", "restore"): ("db_restore", "restore a backup into a fresh database (pg_restore)"),
    ("migrate",): ("migrate", "apply database migrations"),
    ("serve",): ("runserver", "development server (use gunicorn in production)"),
    ("manage",): ("", "any Django management command: haochaping manage <cmd> ..."),
}


def _usage() -> str:
    lines = ["usage: haochaping <command> [options]", "", "commands:"]
    for words, (_, text) in COMMANDS.items():
        lines.append(f"  {' '.join(words):<16} {text}")
    lines.append("")
    lines.append("`haochaping <command> --help` shows the options of one command.")
    return "\n".join(lines)


def resolve(argv: list[str]) -> list[str] | None:
    """Map ``haochaping`` arguments to ``manage.py`` arguments, or None when unknown."""
    for words, (command, _) in sorted(COMMANDS.items(), key=lambda kv: -len(kv[0])):
        if tuple(argv[: len(words)]) == words:
            rest = argv[len(words):]
            return rest if command == "" else [command, *rest]
    return None


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage())
        return 0
    mapped = resolve(args)
    if mapped is None or not mapped:
        print(f"haochaping: unknown command {' '.join(args)!r}\n", file=sys.stderr)
        print(_usage(), file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haochaping.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["haochaping", *mapped])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
