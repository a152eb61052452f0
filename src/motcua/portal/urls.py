from __future__ import annotations

from django.urls import path

from motcua.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/", views.procedure_list, name="procedure_list"),
    path("thu-tuc/<str:local_code>/", views.procedure_detail, name="procedure_detail"),
    path("chinh-sach-bao-ve-du-lieu-ca-nhan/", views.privacy_notice, name="privacy_notice"),
    path(
        "chinh-sach-bao-ve-du-lieu-ca-nhan/ban-in/", views.privacy_notice_print, name="privacy_notice_print"
    ),
]
