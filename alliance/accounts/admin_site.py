from types import MethodType

from django.contrib.admin import AdminSite
from django.http import HttpRequest

from alliance.accounts.models import Role


def restrict_admin_to_owner(site: AdminSite) -> None:
    """The admin is the owner's plain record-keeping tool; nobody else gets in, whatever flags."""
    site.site_header = "Alliance records"
    site.site_title = "Alliance records"

    def has_permission(self: AdminSite, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and getattr(user, "role", None) == Role.OWNER)

    site.has_permission = MethodType(has_permission, site)  # type: ignore[method-assign]
