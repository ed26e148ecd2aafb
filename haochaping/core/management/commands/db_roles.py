"""``haochaping db roles``: the owner and runtime roles of a PostgreSQL deployment
(core.dbroles; docs/security.md "Database roles")."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from haochaping.core import records
from haochaping.core.dbchecks import runtime_problems
from haochaping.core.dbroles import Protected, roles_sql


class Command(BaseCommand):
    help = ("PostgreSQL：输出（或 --apply 执行）创建属主角色与运行角色并授权的 SQL："
            "评价、审计日志和排名公示快照对运行角色只能新增；--check 检查运行角色的权限。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--owner", help="属主角色（执行迁移，拥有全部表）")
        parser.add_argument("--runtime", required=True,
                            help="运行角色（网站与后台进程连接数据库所用）")
        parser.add_argument("--apply", action="store_true",
                            help="以 DATABASE_URL 的连接（超级用户）执行，而不只是输出")
        parser.add_argument("--check", action="store_true",
                            help="检查运行角色：不拥有任何表，不能改写只增表；有问题时退出码为 1")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("数据库角色只适用于 PostgreSQL（SQLite 由只增触发器与文件权限保护）")
        if options["check"]:
            self._check(options["runtime"])
            return
        if not options["owner"]:
            raise CommandError("请用 --owner 指定属主角色")
        protected = [Protected(g.table, g.markers) for g in records.insert_only_tables()]
        try:
            statements = roles_sql(database=connection.settings_dict["NAME"],
                                   owner=options["owner"], runtime=options["runtime"],
                                   protected=protected)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if not options["apply"]:
            self.stdout.write("\n".join(statements))
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
        self.stdout.write(f"已创建并授权：属主 {options['owner']}，运行角色 {options['runtime']}"
                          "（设置口令：psql 中 \\password <角色>）")

    def _check(self, runtime: str) -> None:
        try:
            problems = runtime_problems(connection, runtime)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if not problems:
            self.stdout.write(f"运行角色 {runtime}：不拥有任何表，只增表只能新增。OK")
            return
        for problem in problems:
            self.stdout.write(problem)
        self.stdout.flush()
        sys.exit(1)
