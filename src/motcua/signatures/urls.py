from __future__ import annotations

from django.urls import path

from motcua.signatures import views

app_name = "signatures"
urlpatterns = [
    path("van-ban/giay-hen/<str:code>.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("van-ban/ket-qua/<str:code>.pdf", views.result_pdf, name="result_pdf"),
    path("van-ban/phieu/<str:code>/<uuid:public_id>.pdf", views.form_pdf, name="form_pdf"),
    path("van-ban/phieu-kiem-soat/<str:code>.pdf", views.control_slip_pdf, name="control_slip_pdf"),
    path("van-ban/so-theo-doi.pdf", views.register_pdf, name="register_pdf"),
]
