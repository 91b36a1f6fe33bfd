from django.contrib import admin
from django.urls import include, path

from alliance.accounts.admin_site import restrict_admin_to_owner
from alliance.api.api import api

restrict_admin_to_owner(admin.site)
handler400 = "alliance.accounts.views.bad_request"

# A database that cannot answer gets 503 and Retry-After, not 500 (accounts/unavailable.py).
handler500 = "alliance.accounts.unavailable.server_error"

urlpatterns = [
    path("", include("alliance.practice.urls")),
    path("", include("alliance.booking.urls")),
    path("", include("alliance.care.urls")),
    path("", include("alliance.accounts.urls")),
    path("", include("alliance.accounts.sign_in_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
