from __future__ import annotations

from django.urls import path

from motcua.dossiers import downloads, views

app_name = "dossiers"
urlpatterns = [
    path("ho-so/", views.my_list, name="my_list"),
    path("ho-so/nop/<str:local_code>/", views.dossier_new, name="new"),
    path("ho-so/nhap/<int:pk>/gui/", views.my_submit_draft, name="my_submit_draft"),
    path("ho-so/<str:code>/", views.my_detail, name="my_detail"),
    path("ho-so/<str:code>/bo-sung/", views.my_supply, name="my_supply"),
    path("ho-so/<str:code>/rut/", views.my_withdraw, name="my_withdraw"),
    path("ho-so/<str:code>/danh-gia/", views.my_rate, name="my_rate"),
    path("tra-cuu/", views.track, name="track"),
    path("mot-cua/", views.desk, name="desk"),
    path("mot-cua/tiep-nhan/<str:local_code>/", views.counter_new, name="counter_new"),
    path("mot-cua/so-theo-doi/", views.register, name="register"),
    path("mot-cua/ho-so/<str:code>/giay-hen/", views.receipt, name="receipt"),
    path("mot-cua/ho-so/<str:code>/", views.desk_detail, name="desk_detail"),
    path("mot-cua/ho-so/<str:code>/<str:action>/", views.desk_action, name="desk_action"),
    path("ho-so/<str:code>/tep/<int:file_id>/", downloads.my_file, name="my_file"),
    path("mot-cua/ho-so/<str:code>/tep/<int:file_id>/", downloads.desk_file, name="desk_file"),
]
