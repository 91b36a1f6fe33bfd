from django.contrib import admin
from django.http import HttpRequest

from alliance.care.models import RefusedResponse


@admin.register(RefusedResponse)
class RefusedResponseAdmin(admin.ModelAdmin[RefusedResponse]):
    """Read-only: a refused record is evidence of what arrived; it is never edited here."""

    list_display = ["instrument", "client", "session", "source", "received_at", "alert"]
    list_filter = ["instrument", "source"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: RefusedResponse | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: RefusedResponse | None = None
    ) -> bool:
        return False
