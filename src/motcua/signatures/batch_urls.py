from __future__ import annotations

from django.urls import path

from motcua.signatures import batch_views

app_name = "batch"
urlpatterns = [
    path("", batch_views.signing_queue, name="queue"),
    path("<str:code>/du-thao.pdf", batch_views.result_preview, name="preview"),
]
