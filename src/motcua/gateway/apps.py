from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GatewayConfig(AppConfig):
    name = "motcua.gateway"
    label = "gateway"
    verbose_name = _("Nền tảng tích hợp, chia sẻ dữ liệu (LGSP)")
