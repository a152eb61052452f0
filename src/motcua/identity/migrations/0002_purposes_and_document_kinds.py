"""The purposes of processing (with their legal basis) and the store's document kinds, as data
(motcua.identity.reference holds them)."""

from django.db import migrations

from motcua.identity.reference import identity_reference_seed


def seed(apps, schema_editor):
    identity_reference_seed(
        apps.get_model("identity", "ConsentPurpose"), apps.get_model("identity", "DocumentKind")
    )


class Migration(migrations.Migration):
    dependencies = [("identity", "0001_personal_data_access_store_and_vneid")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
