"""The indicators of the national index (Decision 766/QĐ-TTg, DVCQG formula) as data."""

from decimal import Decimal

from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from motcua.ioc.rules_data import BASIS, GROUPS, INDICATORS, VALID_FROM

    IndicatorRule = apps.get_model("ioc", "IndicatorRule")
    for order, (code, name, group, measure, points, threshold, formula) in enumerate(INDICATORS, start=1):
        IndicatorRule.objects.update_or_create(
            code=code,
            valid_from=VALID_FROM,
            defaults={
                "name": name,
                "group": group,
                "group_name": GROUPS[group],
                "measure": measure,
                "max_points": Decimal(points),
                "threshold": Decimal(threshold) if threshold else None,
                "formula": formula,
                "order": order,
                "legal_basis": BASIS,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("ioc", "0001_facts_national_records_indicator_rules")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
