from __future__ import annotations

from django.urls import path

from motcua.signatures import verify_views

app_name = "verify"
urlpatterns = [
    path("", verify_views.verify_upload, name="upload"),
    path("<uuid:public_id>/", verify_views.verify_document, name="document"),
]
