"""A therapist's profile address (its slug) can change; the old one keeps leading to it.

The new address is what the owner chose, so a visitor with an old link is sent on (302, not
301: an address taken back later must not be remembered by browsers as moved).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse

from alliance.practice.forms import TherapistForm
from alliance.practice.models import FormerAddress, Therapist


@transaction.atomic
def therapist_save(*, form: TherapistForm) -> Therapist:
    """Save a valid profile form; an address it leaves is kept as a former address."""
    before = Therapist.objects.filter(pk=form.instance.pk).values_list("slug", flat=True).first()
    therapist = form.save()
    if before is not None and before != therapist.slug:
        # Taking back an old address ends its redirect, so nothing loops.
        FormerAddress.objects.filter(slug=therapist.slug, therapist=therapist).delete()
        FormerAddress.objects.create(therapist=therapist, slug=before)
    return therapist


View = Callable[..., HttpResponseBase]


def follows_former_addresses(view: View) -> View:
    """For a view with a `slug` argument: an address a profile used to have leads to the page
    at its current one, with the same query; a form posted to it is served as if sent there."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, slug: str, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, slug=slug, **kwargs)
        except Http404:
            # Looked up only when nothing has the address now: no cost to the pages that work.
            former = FormerAddress.objects.filter(slug=slug).select_related("therapist").first()
            if former is None or request.resolver_match is None:
                raise
        if request.method not in ("GET", "HEAD"):
            # A form sent to the old address is answered in place: a redirect would drop it.
            return view(request, *args, slug=former.therapist.slug, **kwargs)
        moved = reverse(
            request.resolver_match.view_name,
            kwargs={**request.resolver_match.kwargs, "slug": former.therapist.slug},
        )
        query = request.META.get("QUERY_STRING", "")
        return HttpResponseRedirect(f"{moved}?{query}" if query else moved)

    return wrapper
