"""Client search for the staff (alliance.booking.client_search)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from alliance.accounts.access import StaffRequest, staff_required
from alliance.booking.client_search import MAX_TERM, SHOWN, client_search, search_term
from alliance.clients.access import in_care_of


@staff_required
@require_GET
def client_search_view(request: StaffRequest) -> HttpResponse:
    typed = request.GET.get("q", "").strip()[:MAX_TERM]
    term = search_term(typed)
    matches = client_search(request=request, term=term, now=timezone.now()) if term else []
    return render(
        request,
        "care/client_search.html",
        {
            "typed": typed,
            "term": term,
            "matches": [(match, in_care_of(request.user, match.client)) for match in matches],
            "shown": SHOWN,
        },
    )
