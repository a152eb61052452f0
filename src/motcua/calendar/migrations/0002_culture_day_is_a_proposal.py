"""24/11 (Ngày Văn hóa Việt Nam) was seeded as a confirmed holiday from the ``holidays`` package, but no enacted
amendment of Labor Code art. 112 makes it one (legal-review row 5.3). Rows the seed wrote (no administrator
confirmed them) go back to unconfirmed proposals, so they stop moving deadlines; an administrator's own
confirmation is kept."""

from __future__ import annotations

from typing import Any

from django.db import migrations

SOURCE = (
    "Nghị quyết 80-NQ/TW (01/2026); Nghị quyết 30/NQ-CP (02/2026) giao sửa Điều 112 Bộ luật Lao động — "
    "chưa có văn bản sửa đổi được ban hành"
)
NOTE = (
    "Có trong gói holidays 0.109 cho mọi năm từ 2026 nhưng chưa phải ngày nghỉ theo luật: chỉ xác nhận khi "
    "Điều 112 Bộ luật Lao động đã được sửa và có thông báo lịch nghỉ chính thức."
)


def culture_day_to_proposal(apps: Any, schema_editor: Any) -> None:
    exception = apps.get_model("workcalendar", "CalendarException")
    exception.objects.filter(
        date__month=11,
        date__day=24,
        date__year__gte=2026,
        scope="national",
        kind="holiday",
        confirmed=True,
        confirmed_by__isnull=True,
    ).update(confirmed=False, source_document=SOURCE, note=NOTE)


class Migration(migrations.Migration):
    dependencies = [("workcalendar", "0001_initial")]

    operations = [migrations.RunPython(culture_day_to_proposal, migrations.RunPython.noop)]
