"""A supplement asked at intake, before receipt, is synchronised as national status 1, not 5: with no
receipt date a 5 would be counted as a supplement request during processing (legal-review.md 1.2)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

BASIS = (
    "Danh mục trạng thái hồ sơ đồng bộ Cổng DVCQG (TrangThaiHoSo); yêu cầu bổ sung khi tiếp nhận "
    "(chưa có ngày tiếp nhận) giữ trạng thái 1"
)


def forwards(apps: Any, schema_editor: Any) -> None:
    mapping = apps.get_model("dossiers", "StatusCodeMapping")
    mapping.objects.filter(status="intake_supplement", national_code=5).update(
        national_code=1, national_label="Mới đăng ký", legal_basis=BASIS
    )


def backwards(apps: Any, schema_editor: Any) -> None:
    mapping = apps.get_model("dossiers", "StatusCodeMapping")
    mapping.objects.filter(status="intake_supplement", national_code=1).update(
        national_code=5, national_label="Yêu cầu bổ sung giấy tờ"
    )


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0003_dossier_lookup_secret")]

    operations = [migrations.RunPython(forwards, backwards)]
