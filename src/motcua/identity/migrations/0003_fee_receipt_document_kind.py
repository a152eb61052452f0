"""The store's document kind for e-receipts of fees (payments.receipts keeps each signed receipt in the
payer's store); the seed adds only what is missing."""

from django.db import migrations

from motcua.identity.reference import identity_reference_seed


def seed(apps, schema_editor):
    identity_reference_seed(
        apps.get_model("identity", "ConsentPurpose"), apps.get_model("identity", "DocumentKind")
    )


class Migration(migrations.Migration):
    dependencies = [("identity", "0002_purposes_and_document_kinds")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
