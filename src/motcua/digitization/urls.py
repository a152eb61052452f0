from __future__ import annotations

from django.urls import path

from motcua.digitization import views

app_name = "digitization"
urlpatterns = [
    path("mot-cua/tim-kiem/", views.search, name="search"),
    path("mot-cua/so-hoa/cong-viec/<int:job_id>/", views.job_detail, name="job"),
    path("mot-cua/so-hoa/cong-viec/<int:job_id>/trang-thai/", views.job_status, name="job_status"),
    path("mot-cua/so-hoa/cong-viec/<int:job_id>/tep.pdf", views.job_output, name="job_output"),
    path("mot-cua/so-hoa/cong-viec/<int:job_id>/xac-nhan/", views.job_confirm, name="job_confirm"),
    path("mot-cua/so-hoa/cong-viec/<int:job_id>/chung-thuc/", views.job_certify, name="job_certify"),
    path(
        "mot-cua/so-hoa/cong-viec/<int:job_id>/ban-sao.pdf", views.job_certified_output, name="job_certified"
    ),
    path("mot-cua/so-hoa/ban-sao/", views.certified_copy_new, name="certified_copy_new"),
    path("mot-cua/so-hoa/<str:code>/<int:component_id>/", views.component_digitize, name="component"),
]
