from django.urls import path

from alliance.accounts import views

app_name = "accounts"
urlpatterns = [
    path("staff/", views.staff_home, name="staff_home"),
]
