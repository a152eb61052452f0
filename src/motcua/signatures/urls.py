from __future__ import annotations

from django.urls import path

from motcua.signatures import verify_views, views

app_name = "signatures"
urlpatterns = [
    path("van-ban/giay-hen/<str:code>.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("van-ban/ket-qua/<str:code>.pdf", views.result_pdf, name="result_pdf"),
    path("van-ban/phieu/<str:code>/<uuid:public_id>.pdf", views.form_pdf, name="form_pdf"),
    path("van-ban/phieu-kiem-soat/<str:code>.pdf", views.control_slip_pdf, name="control_slip_pdf"),
    path("van-ban/so-theo-doi.pdf", views.register_pdf, name="register_pdf"),
    # The CRL distribution points written into the demo certificates (pki.CRL_BASE).
    path("pki/<str:name>.crl", verify_views.crl_download, name="crl"),
]
