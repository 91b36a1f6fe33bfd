from django.urls import path

from alliance.care.views import alerts, checkin, search, staff

app_name = "care"
urlpatterns = [
    path("checkin/<str:token>/", checkin.checkin, name="checkin"),
    path("checkin/<str:token>/thanks/", checkin.checkin_thanks, name="checkin_thanks"),
    path("checkin/<str:token>/new-link/", checkin.checkin_renew, name="checkin_renew"),
    path("progress/<str:token>/", checkin.progress, name="progress"),
    path("staff/clients/", staff.client_list, name="clients"),
    path("staff/clients/find/", search.client_search_view, name="client_search"),
    path("staff/alerts/<uuid:alert_uuid>/", alerts.alert_update, name="alert_update"),
    path("staff/clients/<uuid:client_uuid>/", staff.client_detail, name="client"),
    path("staff/clients/<uuid:client_uuid>/plan/", staff.client_plan, name="client_plan"),
    path(
        "staff/clients/<uuid:client_uuid>/progress/",
        staff.client_progress_shown,
        name="client_progress",
    ),
    path(
        "staff/clients/<uuid:client_uuid>/export.json",
        staff.client_download,
        name="client_export",
    ),
    path(
        "staff/appointments/<uuid:appointment_uuid>/rate/",
        staff.session_rate,
        name="session_rate",
    ),
]
