"""The owner's view of the read audit: filter it, page through it, export it as CSV."""

import csv
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from alliance.accounts.access import StaffRequest, role_required
from alliance.accounts.audit import AuditFilter, audit_client_names, audit_record, audit_records
from alliance.accounts.forms import CalendarDateField
from alliance.accounts.models import STAFF_ROLES, Actor, AuditRecord, Role, User

PER_PAGE = 50
CSV_HEADER = ["at_utc", "user_email", "user_name", "role", "client", "what", "object", "address"]


class AuditFilterForm(forms.Form):
    user = forms.ModelChoiceField(
        User.objects.filter(role__in=STAFF_ROLES),
        required=False,
        label="Person",
        empty_label="Anyone",
    )
    role = forms.ChoiceField(
        choices=[("", "Any"), *Actor.choices], required=False, label="Role at the time"
    )
    client = forms.UUIDField(
        required=False,
        label="Client id",
        help_text="The UUID at the end of the client page's address.",
    )
    since = CalendarDateField(
        required=False, label="From (UTC day)", widget=forms.DateInput({"type": "date"})
    )
    until = CalendarDateField(
        required=False, label="To (UTC day)", widget=forms.DateInput({"type": "date"})
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", "The last day comes on or after the first.")
        return cleaned

    def chosen(self) -> AuditFilter:
        data = self.cleaned_data
        return AuditFilter(
            user=data["user"],
            role=data["role"],
            client_uuid=data["client"],
            since=data["since"],
            until=data["until"],
        )


def _refused(request: StaffRequest, form: AuditFilterForm) -> HttpResponse:
    # What was typed stays in the form, with the reason beside it; nothing is listed.
    return render(request, "accounts/audit.html", {"form": form, "page": None}, status=422)


@role_required(Role.OWNER)
@require_GET
def audit_list(request: StaffRequest) -> HttpResponse:
    """Who was shown which client's data, newest first."""
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return _refused(request, form)
    page = Paginator(audit_records(form.chosen()), PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode({key: value for key, value in form.data.items() if key != "page" and value})
    names = audit_client_names(record.client_uuid for record in page if record.client_uuid)
    rows = [
        (record, names.get(record.client_uuid) if record.client_uuid else None) for record in page
    ]
    return render(
        request,
        "accounts/audit.html",
        {"form": form, "page": page, "query": query, "rows": rows},
    )


def _text(cell: str) -> str:
    """A cell a spreadsheet would run as a formula (a name like "=HYPERLINK(…)") stays text."""
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _row(record: AuditRecord) -> list[str]:
    return [_text(cell) for cell in _cells(record)]


def _cells(record: AuditRecord) -> list[str]:
    user = record.user
    return [
        record.at.isoformat(timespec="seconds"),
        user.email if user else "",
        user.full_name if user else "",
        record.role,
        str(record.client_uuid or ""),
        record.what,
        record.object_id,
        record.address,
    ]


@role_required(Role.OWNER)
@require_GET
def audit_export(request: StaffRequest) -> HttpResponse:
    """The filtered records as CSV; the export is itself recorded (after, so it is not in it)."""
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return _refused(request, form)
    chosen = form.chosen()
    rows = [_row(record) for record in audit_records(chosen)]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="read-audit.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    writer.writerows(rows)
    audit_record(request=request, what="audit export", client_uuid=chosen.client_uuid)
    return response
