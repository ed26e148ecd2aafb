from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from haochaping.core.reference_data import ensure_reference_data


class Command(BaseCommand):
    help = "Load missing reference rows (national standards, message templates); idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_reference_data()
        self.stdout.write("reference data present")
