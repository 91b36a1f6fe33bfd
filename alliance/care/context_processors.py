from typing import Any, cast

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from alliance.accounts.access import StaffRequest
from alliance.care.alerts import open_alerts_shown


def alerts_band(request: HttpRequest) -> dict[str, Any]:
    """`open_alerts` for the band on staff pages (care/alerts_banner.html), so pages of the apps
    below care show it without importing care. Worked out only when a page shows the band: other
    pages run no query and record no read."""
    user = getattr(request, "user", None)  # absent on pages rendered before the middleware ran
    if user is None or not user.is_authenticated:
        return {}
    return {"open_alerts": SimpleLazyObject(lambda: open_alerts_shown(cast(StaffRequest, request)))}
