from django.urls import path

from alliance.booking.views import (
    availability,
    book,
    calendar,
    home,
    manage,
    practice,
    requests,
    staff,
    waitlist,
)

app_name = "booking"
urlpatterns = [
    path("staff/", home.staff_home, name="staff_home"),
    path("consultation/", requests.consultation_request_create, name="consultation"),
    path("consultation/thanks/", requests.consultation_request_thanks, name="consultation_thanks"),
    path("therapists/<slug:slug>/book/", book.booking_slots, name="slots"),
    path("therapists/<slug:slug>/book/confirm/", book.booking_confirm, name="confirm"),
    path("appointments/booked/", book.booking_done, name="booked"),
    path("appointments/check-your-email/", book.pending_sent, name="pending_sent"),
    path("appointments/confirm/<str:token>/", book.pending_confirm, name="pending_confirm"),
    path("therapists/<slug:slug>/waitlist/", waitlist.waitlist_join_view, name="waitlist_join"),
    path("waitlist/joined/", waitlist.waitlist_joined, name="waitlist_joined"),
    path("waitlist/offers/<str:token>/", waitlist.offer, name="offer"),
    path("waitlist/leave/<str:token>/", waitlist.waitlist_leave_view, name="waitlist_leave"),
    path("appointments/manage/<str:token>/", manage.manage, name="manage"),
    path(
        "appointments/manage/<str:token>/reschedule/",
        manage.manage_reschedule,
        name="manage_reschedule",
    ),
    path(
        "appointments/manage/<str:token>/reschedule/confirm/",
        manage.manage_reschedule_confirm,
        name="manage_reschedule_confirm",
    ),
    path("appointments/manage/<str:token>/cancel/", manage.manage_cancel, name="manage_cancel"),
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar_feed"),
    path("staff/calendar/", calendar.calendar_settings, name="calendar_settings"),
    path("staff/schedule/", staff.schedule, name="schedule"),
    path("staff/day/", practice.practice_day_view, name="practice_day"),
    path(
        "staff/therapists/<slug:slug>/availability/",
        availability.availability_edit,
        name="availability",
    ),
    path("staff/appointments/new/", staff.appointment_new, name="appointment_new"),
    path(
        "staff/appointments/<uuid:appointment_uuid>/",
        staff.appointment_detail,
        name="appointment",
    ),
    path(
        "staff/appointments/<uuid:appointment_uuid>/mark/",
        staff.appointment_mark_view,
        name="appointment_mark",
    ),
    path(
        "staff/appointments/<uuid:appointment_uuid>/cancel/",
        staff.appointment_cancel_view,
        name="appointment_cancel",
    ),
    path(
        "staff/appointments/<uuid:appointment_uuid>/new-link/",
        staff.appointment_link_revoke_view,
        name="appointment_link_revoke",
    ),
    path(
        "staff/appointments/<uuid:appointment_uuid>/move/",
        staff.appointment_move_view,
        name="appointment_move",
    ),
    path("staff/requests/", requests.request_inbox, name="inbox"),
    path("staff/requests/<uuid:request_uuid>/", requests.request_detail, name="request_detail"),
]
