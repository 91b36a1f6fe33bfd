from django.contrib import admin

from alliance.clients.models import Client


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin[Client]):
    list_display = ["name", "email", "therapist", "created_at"]
    search_fields = ["name", "email"]
