from django.urls import path

from motcua.identity import views

app_name = "identity"
urlpatterns = [
    path("dang-nhap/vneid/", views.vneid_login, name="vneid_login"),
    path("dang-nhap/vneid/callback/", views.vneid_callback, name="vneid_callback"),
    path("kho-du-lieu/", views.store_page, name="store"),
    path("kho-du-lieu/<int:pk>/tep/", views.store_file, name="store_file"),
    path("du-lieu-cua-toi/", views.who_used_my_data, name="who_used"),
    path("du-lieu-cua-toi/dong-y/", views.consent_change, name="consent_change"),
    path("du-lieu-cua-toi/bao-sai/", views.data_error, name="data_error"),
]
