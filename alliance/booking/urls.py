from django.urls import path

from alliance.booking import views

app_name = "booking"
urlpatterns = [
    path("consultation/", views.consultation_request_create, name="consultation"),
    path("consultation/thanks/", views.consultation_request_thanks, name="consultation_thanks"),
    path("staff/requests/", views.request_inbox, name="inbox"),
    path("staff/requests/<uuid:request_uuid>/", views.request_detail, name="request_detail"),
]
