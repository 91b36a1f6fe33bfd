"""Who may open which page: the one place access is declared.

Every view carries exactly one declaration, `@public` or `@role_required(...)`; the URL walk in
tests/test_access_table.py fails when a route has none or differs from the table there. Objects a
person may or may not see are fetched through `get_<thing>_for_user` helpers beside their models,
which raise 404 rather than reveal that the object exists.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render

from alliance.accounts.models import CLINICAL_ROLES, STAFF_ROLES, Role, User

View = Callable[..., HttpResponseBase]
PUBLIC = "public"


class StaffRequest(HttpRequest):
    """The request a `@role_required` view receives: its user is signed in, so a real User."""

    user: User


def public(view: View) -> View:
    """Anyone, signed in or not, may open this page."""
    view.access = PUBLIC  # type: ignore[attr-defined]
    return view


def role_required(*roles: Role) -> Callable[[View], View]:
    """Only signed-in, active users holding one of `roles`; others sign in or are refused."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if getattr(user, "role", None) not in roles or not user.is_active:
                return render(request, "403.html", status=403)
            return view(request, *args, **kwargs)

        wrapper.access = frozenset(roles)  # type: ignore[attr-defined]
        return wrapper

    return decorator


staff_required = role_required(*STAFF_ROLES)
clinician_required = role_required(*CLINICAL_ROLES)


def scoped_to_user[Q: QuerySet[Any]](queryset: Q, user: Any, *, therapist: str) -> Q:
    """The one rule for practice records: the owner and front desk see all of them; a therapist
    those whose `therapist` (a lookup path to a Therapist) is their own profile; others nothing.
    """
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.role in (Role.OWNER, Role.FRONTDESK):
        return queryset.all()
    if user.role == Role.THERAPIST:
        return queryset.filter(**{f"{therapist}__user": user})
    return queryset.none()


def scoped_to_clinician[Q: QuerySet[Any]](queryset: Q, user: Any, *, therapist: str) -> Q:
    """The rule for clinical records (answers, scores, alerts): the owner sees all of them, a
    therapist their own clients'; the front desk, who books and greets, sees none."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.role == Role.OWNER:
        return queryset.all()
    if user.role == Role.THERAPIST:
        return queryset.filter(**{f"{therapist}__user": user})
    return queryset.none()
