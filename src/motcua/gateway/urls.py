from __future__ import annotations

from django.urls import URLPattern, path

from motcua.gateway import views

app_name = "gateway"
urlpatterns: list[URLPattern] = [
    path("", views.registry, name="registry"),
    path("dich-vu/<slug:code>/", views.service, name="service"),
    path("van-hanh/", views.operations, name="operations"),
    path("van-hanh/gui-lai/<int:delivery_id>/", views.replay, name="replay"),
]
