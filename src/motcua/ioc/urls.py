from __future__ import annotations

from django.urls import path

from motcua.ioc import views

app_name = "ioc"

urlpatterns = [
    path("ioc/", views.dashboard, name="dashboard"),
    path("ioc/du-lieu.json", views.dashboard_json, name="dashboard_json"),
    path("ioc/ho-so/<slug:name>/", views.dossier_set, name="dossier_set"),
    path("ioc/chi-so/<str:code>/<slug:part>/", views.indicator_evidence, name="evidence"),
    path("ioc/gia-dinh/", views.what_if, name="what_if"),
    path("thong-ke/", views.public_statistics, name="public"),
    path("thong-ke/<str:agency_code>/", views.public_statistics, name="public_agency"),
]
