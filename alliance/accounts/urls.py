from django.urls import path

from alliance.accounts import audit_views, views

app_name = "accounts"
urlpatterns = [
    path("staff/", views.staff_home, name="staff_home"),
    path("staff/audit/", audit_views.audit_list, name="audit"),
    path("staff/audit/export.csv", audit_views.audit_export, name="audit_export"),
    path("staff/sign-in/", views.sign_in, name="login"),
    path("staff/sign-out/", views.sign_out, name="logout"),
    path("staff/password-reset/", views.password_reset, name="password_reset"),
    path("staff/password-reset/sent/", views.password_reset_sent, name="password_reset_sent"),
    path(
        "staff/password-reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "staff/password-reset/done/",
        views.password_reset_complete,
        name="password_reset_complete",
    ),
]
