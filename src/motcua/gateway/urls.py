from __future__ import annotations

from django.urls import URLPattern, path

from motcua.gateway import views

app_name = "gateway"
urlpatterns: list[URLPattern] = [
    path("", views.registry, name="registry"),
    path("dich-vu/<slug:code>/", views.service, name="service"),
    path("van-hanh/", views.operations, name="operations"),
    path("van-hanh/gui-lai/<int:delivery_id>/", views.replay, name="replay"),
    path("nhat-ky/", views.message_log, name="messages"),
    path("nhat-ky/<int:pk>/", views.message, name="message"),
    path("nhat-ky/<int:pk>/bang-chung/", views.message_evidence, name="message_evidence"),
]
