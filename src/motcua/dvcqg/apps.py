from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DvcqgConfig(AppConfig):
    name = "motcua.dvcqg"
    label = "dvcqg"
    verbose_name = _("Đồng bộ Cổng Dịch vụ công quốc gia")

    def ready(self) -> None:
        # Timeline events are the outbox: after a commit that wrote some, one drain is queued.
        from motcua.dossiers.events import events_written_hook_add
        from motcua.dvcqg.services import drain_enqueue

        events_written_hook_add(drain_enqueue)
