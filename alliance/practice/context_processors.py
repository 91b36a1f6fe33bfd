from typing import Any

from django.http import HttpRequest

from alliance.practice.models import Practice


def practice(request: HttpRequest) -> dict[str, Any]:
    current = getattr(request, "practice", None) or Practice.objects.current()
    return {"practice": current}
