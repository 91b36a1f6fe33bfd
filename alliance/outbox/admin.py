from django.contrib import admin

from alliance.outbox.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    list_display = ["kind", "status", "send_after", "attempts", "sent_at", "last_error"]
    list_filter = ["kind", "status"]
    readonly_fields = [field.name for field in Message._meta.fields]
