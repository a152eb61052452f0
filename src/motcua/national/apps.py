from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NationalConfig(AppConfig):
    name = "motcua.national"
    label = "national"
    verbose_name = _("Kết nối hệ thống quốc gia")

    def ready(self) -> None:
        from motcua.dossiers.registries import registries_set
        from motcua.national.port import NationalRegistries

        # Dossiers reach the population, business and postal systems only through this port.
        registries_set(NationalRegistries())
