"""The therapist's side: their clients, each client's responses, the plan, the session rating."""

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliance.accounts.access import StaffRequest, clinician_required, role_required
from alliance.accounts.audit import audit_record, audit_record_many
from alliance.accounts.models import Role
from alliance.care.access import get_appointment_to_rate, get_client_for_clinician
from alliance.care.alerts import urgency_order
from alliance.care.brief import client_brief
from alliance.care.caseload import caseload_rows
from alliance.care.data_rights import client_export
from alliance.care.forms import AlertMoveForm, InstrumentsForm
from alliance.care.instruments import instrument, instruments
from alliance.care.models import Alert, AlertState, Episode, Frequency, Response, ResponseSource
from alliance.care.progress import client_progress
from alliance.care.services import (
    ResponseExists,
    answers_score,
    plan_update,
    response_record,
    session_for_appointment,
)
from alliance.care.summaries import client_series
from alliance.clients.access import get_client_in_care_of, in_care_of
from alliance.clinical.plan import MAX_QUESTIONS
from alliance.clinical.scoring import AnswerError
from alliance.scheduling.display import format_local

THERAPIST_FORM = "alliance_therapist"


@clinician_required
@require_GET
def client_list(request: StaffRequest) -> HttpResponse:
    """The caseload, most in need first (alliance.care.caseload)."""
    rows = caseload_rows(request.user)
    # Each row shows the client's latest scores and needs: a read of each one's record.
    audit_record_many(request=request, what="caseload", client_uuids=[r.client.uuid for r in rows])
    return render(request, "care/client_list.html", {"rows": rows})


@clinician_required
@require_GET
def client_detail(request: StaffRequest, client_uuid: UUID) -> HttpResponse:
    """The pre-session brief: alerts first, what changed, the charts, then the record."""
    client = get_client_for_clinician(request.user, client_uuid)
    episode = Episode.objects.open().filter(client=client).first()
    planned = {item.instrument: item.frequency for item in episode.plan.all()} if episode else {}
    alerts = list(
        Alert.objects.visible_to(request.user)
        .filter(client=client)
        .select_related("session")
        .prefetch_related("events__by", "refused_responses")
        .order_by(urgency_order(), "-created_at")
    )
    current = [alert for alert in alerts if alert.state != AlertState.RESOLVED]
    audit_record(request=request, what="client page", client_uuid=client.uuid)
    return render(
        request,
        "care/client_detail.html",
        {
            "client": client,
            "brief": client_brief(client, current),
            "past_alerts": [alert for alert in alerts if alert.state == AlertState.RESOLVED],
            "alert_form": AlertMoveForm(),
            "series": client_series(client),
            "comments": Response.objects.filter(client=client)
            .exclude(comment="")
            .select_related("session")
            .order_by("-completed_at")[:5],
            "episode": episode,
            "plan": [
                (found, planned.get(code, Frequency.OFF)) for code, found in instruments().items()
            ],
            "frequencies": Frequency.choices,
            "max_questions": MAX_QUESTIONS,
            "may_plan": in_care_of(request.user, client),
            # For the printed page's footer, in the practice's zone (activated per request);
            # format_local names it even in the hour a clock change repeats, where "T" is empty.
            "printed_at": format_local(timezone.now(), timezone.get_current_timezone()),
        },
    )


@clinician_required
@require_GET
def client_progress_shown(request: StaffRequest, client_uuid: UUID) -> HttpResponse:
    """The progress page exactly as the client sees it from their check-in link, so the
    therapist can go through it with them (alliance.care.progress)."""
    client = get_client_for_clinician(request.user, client_uuid)
    audit_record(request=request, what="client progress page", client_uuid=client.uuid)
    return render(
        request, "care/progress.html", {"measures": client_progress(client), "shown_to": client}
    )


@role_required(Role.OWNER)
@require_GET
def client_download(request: StaffRequest, client_uuid: UUID) -> JsonResponse:
    """Everything held about the client in one JSON file, as `manage.py client_export` writes
    it: for the owner, who answers a client's request for their data."""
    client = get_client_for_clinician(request.user, client_uuid)
    response = JsonResponse(
        client_export(client=client, request=request),
        json_dumps_params={"indent": 2, "ensure_ascii": False},
    )
    response["Content-Disposition"] = f'attachment; filename="client-{client.uuid}.json"'
    return response


@clinician_required
@require_POST
def client_plan(request: StaffRequest, client_uuid: UUID) -> HttpResponse:
    client = get_client_in_care_of(request.user, client_uuid)
    episode = Episode.objects.open().filter(client=client).first()
    if episode is None:
        messages.error(request, "The plan starts with the first session; there is none yet.")
        return redirect("care:client", client_uuid=client.uuid)
    chosen = {code: request.POST.get(f"plan-{code}", "") for code in instruments()}
    refused = [code for code, value in chosen.items() if value not in Frequency.values]
    if refused:
        messages.error(request, "Choose how often for every instrument; nothing was changed.")
    else:
        plan_update(episode=episode, frequencies=chosen, request=request)
        messages.success(request, "Measurement plan saved.")
    return redirect("care:client", client_uuid=client.uuid)


@clinician_required
@require_http_methods(["GET", "POST"])
def session_rate(request: StaffRequest, appointment_uuid: UUID) -> HttpResponse:
    appointment = get_appointment_to_rate(request.user, appointment_uuid)
    found = instrument(THERAPIST_FORM)
    assert found is not None  # shipped, and definitions are checked at start-up
    existing = Response.objects.filter(
        session__appointment=appointment, instrument=THERAPIST_FORM
    ).first()
    form = InstrumentsForm([found], request.POST if request.method == "POST" else None)
    if request.method == "POST" and existing is None and form.is_valid():
        try:
            response_record(
                session=session_for_appointment(appointment=appointment),
                scored=answers_score(THERAPIST_FORM, form.answers()[THERAPIST_FORM]),
                completed_at=timezone.now(),
                source=ResponseSource.STAFF,
                recorded_by=request.user,
            )
        except AnswerError as error:
            for problem in error.problems:
                form.add_error(
                    problem.item if problem.item in form.fields else None, problem.message
                )
        except ResponseExists:
            pass  # a double submit: the first rating counts
        if not form.errors:
            messages.success(request, "Thank you: your rating of the session is saved.")
            return redirect("booking:appointment", appointment_uuid=appointment.uuid)
    audit_record(
        request=request,
        what="session rating",
        client_uuid=appointment.client.uuid,
        object_id=str(appointment.uuid),
    )
    return render(
        request,
        "care/session_rate.html",
        {"appointment": appointment, "form": form, "existing": existing, "instrument": found},
        status=422 if form.errors else 200,
    )
