from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "motcua.payments"
    label = "payments"
    verbose_name = _("Phí, lệ phí và thanh toán")

    def ready(self) -> None:
        from motcua.dossiers.fee_terms import fee_terms_set
        from motcua.payments.fees import CatalogueFeeTerms

        # Submission computes the dossier's fee lines through this port (dossiers sits below payments).
        fee_terms_set(CatalogueFeeTerms())
