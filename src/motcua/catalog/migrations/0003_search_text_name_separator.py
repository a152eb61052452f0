"""Rebuild every version's search text with the separator after the name (catalog.search.TITLE_END), so
that search can rank matches in the name above matches in other fields."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from motcua.core.text import fold_vietnamese

TITLE_END = "\x1f"  # catalog.search.TITLE_END when this migration was written


def rebuild(apps: Any, schema_editor: Any) -> None:
    version_model = apps.get_model("catalog", "ProcedureVersion")
    for version in version_model.objects.select_related("procedure", "field", "competent_agency").iterator():
        others = [
            version.name_en,
            version.procedure.local_code,
            version.procedure.national_code,
            version.field.name,
            version.result_name,
            version.competent_agency.name,
        ]
        rest = fold_vietnamese(" ".join(p for p in others if p))
        version.search_text = f"{fold_vietnamese(version.name)}{TITLE_END}{rest}"
        version.save(update_fields=["search_text"])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_procedure_version_same_day_cutoff_basis")]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
