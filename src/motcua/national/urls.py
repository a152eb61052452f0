from django.urls import path

from motcua.national import views

app_name = "national"
urlpatterns = [
    path("buu-chinh/hanh-trinh/<str:token>/", views.post_tracking, name="post_tracking"),
]
