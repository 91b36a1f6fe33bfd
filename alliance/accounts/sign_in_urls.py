"""Staff sign-in, password reset and two-step sign-in, served by django-allauth.

Only the allauth views the practice uses are routed (no sign-up, no e-mail management), each with
its access declared like every other view. They keep allauth's URL names, outside the `accounts`
namespace, because allauth reverses them by those names.
"""

from allauth.account import views as account
from allauth.mfa.base import views as mfa
from allauth.mfa.recovery_codes import views as recovery
from allauth.mfa.totp import views as totp
from django.urls import path, re_path

from alliance.accounts.access import public, staff_required

urlpatterns = [
    path("staff/sign-in/", public(account.login), name="account_login"),
    path("staff/sign-in/code/", public(mfa.authenticate), name="mfa_authenticate"),
    path("staff/sign-in/trust/", public(mfa.trust), name="mfa_trust"),
    path("staff/sign-out/", public(account.logout), name="account_logout"),
    path("staff/password-reset/", public(account.password_reset), name="account_reset_password"),
    path(
        "staff/password-reset/sent/",
        public(account.password_reset_done),
        name="account_reset_password_done",
    ),
    re_path(
        r"^staff/password-reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        public(account.password_reset_from_key),
        name="account_reset_password_from_key",
    ),
    path(
        "staff/password-reset/done/",
        public(account.password_reset_from_key_done),
        name="account_reset_password_from_key_done",
    ),
    path(
        "staff/password/",
        staff_required(account.password_change),
        name="account_change_password",
    ),
    path(
        "staff/confirm-password/",
        staff_required(account.reauthenticate),
        name="account_reauthenticate",
    ),
    path("staff/security/", staff_required(mfa.index), name="mfa_index"),
    path(
        "staff/security/confirm-code/",
        staff_required(mfa.reauthenticate),
        name="mfa_reauthenticate",
    ),
    path(
        "staff/security/app/",
        staff_required(totp.activate_totp),
        name="mfa_activate_totp",
    ),
    path(
        "staff/security/app/remove/",
        staff_required(totp.deactivate_totp),
        name="mfa_deactivate_totp",
    ),
    path(
        "staff/security/recovery-codes/",
        staff_required(recovery.view_recovery_codes),
        name="mfa_view_recovery_codes",
    ),
    path(
        "staff/security/recovery-codes/new/",
        staff_required(recovery.generate_recovery_codes),
        name="mfa_generate_recovery_codes",
    ),
    path(
        "staff/security/recovery-codes/download/",
        staff_required(recovery.download_recovery_codes),
        name="mfa_download_recovery_codes",
    ),
]
