from django.urls import path

from alliance.practice import views

app_name = "practice"
urlpatterns = [
    path("", views.home, name="home"),
    path("therapists/", views.directory, name="directory"),
    path("therapists/<slug:slug>/", views.therapist_detail, name="therapist"),
    path("therapists/<slug:slug>/photo/", views.therapist_photo, name="therapist_photo"),
    path("crisis/", views.crisis, name="crisis"),
    path("staff/practice/", views.practice_edit, name="practice_edit"),
    path("staff/therapists/", views.staff_therapists, name="staff_therapists"),
    path("staff/therapists/new/", views.therapist_create, name="therapist_create"),
    path("staff/therapists/<slug:slug>/", views.therapist_edit, name="therapist_edit"),
]
