from __future__ import annotations

from django.urls import path

from motcua.payments import views

app_name = "payments"
urlpatterns = [
    path("ho-so/<str:code>/thanh-toan/", views.pay_page, name="pay"),
    path("ho-so/<str:code>/thanh-toan/bat-dau/", views.pay_start, name="pay_start"),
    path("thanh-toan/ket-qua/", views.payment_return, name="return"),
    path("thanh-toan/vnpay/ipn/", views.ipn, name="ipn"),
    path("thanh-toan/<str:txn_ref>/bien-lai.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("mot-cua/ho-so/<str:code>/thu-phi/", views.counter_pay, name="counter_pay"),
    path("mot-cua/ho-so/<str:code>/mien-giam-phi/", views.fee_exemption, name="fee_exemption"),
    path("mot-cua/thanh-toan/<str:txn_ref>/hoan-phi/", views.refund, name="refund"),
    path("mot-cua/doi-soat/", views.reconcile_page, name="reconcile"),
    path("mot-cua/doi-soat/xu-ly/", views.reconcile_resolve, name="reconcile_resolve"),
]
