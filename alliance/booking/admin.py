from django.contrib import admin

from alliance.booking.models import (
    Appointment,
    AppointmentType,
    ConsultationRequest,
    TimeOff,
    WaitlistEntry,
    WorkingHours,
)


@admin.register(ConsultationRequest)
class ConsultationRequestAdmin(admin.ModelAdmin[ConsultationRequest]):
    list_display = ["created_at", "name", "therapist", "status", "first_response_at"]
    list_filter = ["status"]
    readonly_fields = ["uuid", "submission_token", "created_at"]


@admin.register(AppointmentType)
class AppointmentTypeAdmin(admin.ModelAdmin[AppointmentType]):
    list_display = [
        "name",
        "duration_minutes",
        "buffer_after_minutes",
        "min_notice_hours",
        "horizon_days",
        "bookable_by_public",
        "bookable_by_clients",
    ]


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin[WorkingHours]):
    list_display = ["therapist", "weekday", "start", "end", "format", "location"]
    list_filter = ["therapist", "weekday", "format"]


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin[TimeOff]):
    list_display = ["therapist", "start", "end", "note"]
    list_filter = ["therapist"]


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin[Appointment]):
    list_display = ["start", "therapist", "appointment_type", "status", "late_cancellation"]
    list_filter = ["status", "therapist", "appointment_type"]
    readonly_fields = ["uuid", "sequence", "created_at", "idempotency_key"]
    date_hierarchy = "start"


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin[WaitlistEntry]):
    list_display = ["created_at", "therapist", "name", "status"]
    list_filter = ["therapist", "status"]
