from __future__ import annotations

from django.urls import path

from motcua.signatures import views

app_name = "signatures"
urlpatterns = [
    path("van-ban/giay-hen/<str:code>.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("van-ban/ket-qua/<str:code>.pdf", views.result_pdf, name="result_pdf"),
]
