"""A throwaway API guarded by StaffToken, for tests only (never in alliance/urls.py)."""

from django.http import HttpRequest
from django.urls import path
from ninja import NinjaAPI

from alliance.api.auth import StaffToken, install_auth_error_handler, staff_user
from alliance.api.errors import install_error_handlers
from alliance.clients.models import Client

plain = NinjaAPI(urls_namespace="token_test_plain")
install_error_handlers(plain)  # as alliance.api.api does

helpful = NinjaAPI(urls_namespace="token_test_helpful")
install_error_handlers(helpful)
install_auth_error_handler(helpful)


@plain.get("/me", auth=StaffToken())
@helpful.get("/me", auth=StaffToken())
def me(request: HttpRequest) -> dict[str, str]:
    return {"email": staff_user(request).email, "request_user": str(request.user.pk)}


@plain.get("/clients", auth=StaffToken())
def clients(request: HttpRequest) -> list[str]:
    return list(Client.objects.visible_to(staff_user(request)).values_list("name", flat=True))


urlpatterns = [path("plain/", plain.urls), path("helpful/", helpful.urls)]
