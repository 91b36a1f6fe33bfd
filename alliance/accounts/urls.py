from django.urls import path

from alliance.accounts import audit_views

app_name = "accounts"
urlpatterns = [
    path("staff/audit/", audit_views.audit_list, name="audit"),
    path("staff/audit/export.csv", audit_views.audit_export, name="audit_export"),
]
