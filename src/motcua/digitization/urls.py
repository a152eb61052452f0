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
    path("mot-cua/so-hoa/<str:code>/<int:component_id>/", views.component_digitize, name="component"),
]
