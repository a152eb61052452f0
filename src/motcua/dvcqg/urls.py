from __future__ import annotations

from django.urls import path

from motcua.dvcqg import views

app_name = "dvcqg"
urlpatterns = [
    path("doi-soat/", views.reconciliation, name="reconciliation"),
    path("doi-soat/<str:code>/dong-bo-lai/", views.resync, name="resync"),
]
