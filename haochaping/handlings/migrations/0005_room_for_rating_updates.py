"""Leave free space on the handlings' pages (PostgreSQL ``fillfactor``), so the one
update a rating makes (``rated_at``, evaluations.services._mark_rated) stays on the row's
page as a HOT update instead of adding an entry to each of the table's indexes. Applies
to pages written from now on; ``VACUUM FULL handlings_handling`` repacks older ones."""

from typing import Any

from django.db import migrations

FILLFACTOR = 80


def _set(fillfactor: int) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"ALTER TABLE handlings_handling SET (fillfactor = {fillfactor})")
    return run


class Migration(migrations.Migration):
    dependencies = [("handlings", "0004_changed_since_indexes")]

    operations = [migrations.RunPython(_set(FILLFACTOR), _set(100))]
