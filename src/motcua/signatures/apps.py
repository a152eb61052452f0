from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignaturesConfig(AppConfig):
    name = "motcua.signatures"
    label = "signatures"
    verbose_name = _("Văn bản và chữ ký số")

    def ready(self) -> None:
        from motcua.dossiers.paperwork import paperwork_set
        from motcua.signatures.paperwork import SignaturesPaperwork

        # Dossiers reach forms, results and signed uploads only through this port (ADR 0002).
        paperwork_set(SignaturesPaperwork())
