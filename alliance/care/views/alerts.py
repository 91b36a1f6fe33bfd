"""A therapist acknowledges or resolves an alert and records what they did."""

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from alliance.accounts.access import StaffRequest, clinician_required
from alliance.care.alerts import AlertRefused, alert_move
from alliance.care.forms import AlertMoveForm
from alliance.care.models import Alert, AlertState


@clinician_required
@require_POST
def alert_update(request: StaffRequest, alert_uuid: UUID) -> HttpResponse:
    alert = get_object_or_404(
        Alert.objects.visible_to(request.user).select_related("client"), uuid=alert_uuid
    )
    form = AlertMoveForm(request.POST)
    if not form.is_valid():
        problems = [str(error) for errors in form.errors.values() for error in errors]
        messages.error(request, " ".join(problems) + " Nothing was changed.")
    else:
        try:
            alert_move(
                alert=alert,
                to=AlertState(form.cleaned_data["to"]),
                by=request.user,
                action=form.cleaned_data["action"],
                note=form.cleaned_data["note"],
            )
        except AlertRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, f"Alert {alert.get_state_display().lower()}.")
    return redirect(
        reverse("care:client", kwargs={"client_uuid": alert.client.uuid}) + f"#alert-{alert.uuid}"
    )
