from django.contrib import admin

from alliance.booking.models import ConsultationRequest


@admin.register(ConsultationRequest)
class ConsultationRequestAdmin(admin.ModelAdmin[ConsultationRequest]):
    list_display = ["created_at", "name", "therapist", "status", "first_response_at"]
    list_filter = ["status"]
    readonly_fields = ["uuid", "submission_token", "created_at", "notified_at"]
