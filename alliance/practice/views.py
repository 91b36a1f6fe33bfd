from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from alliance.accounts.access import (
    StaffRequest,
    clinician_required,
    public,
    role_required,
    staff_required,
)
from alliance.accounts.models import Role
from alliance.lib.avatar import placeholder_svg
from alliance.practice.access import get_listed_therapist, get_therapist_for_user
from alliance.practice.addresses import follows_former_addresses, therapist_save
from alliance.practice.forms import DirectoryFilterForm, PracticeForm, TherapistForm
from alliance.practice.models import Accepting, Practice, Therapist


@public
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    accepting = Therapist.objects.listed().with_terms().filter(accepting=Accepting.YES)
    return render(request, "practice/home.html", {"accepting": accepting[:3]})


@public
@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET)
    therapists = form.filter(Therapist.objects.listed().with_terms())
    return render(request, "practice/directory.html", {"form": form, "therapists": therapists})


@public
@require_GET
@follows_former_addresses
def therapist_detail(request: HttpRequest, slug: str) -> HttpResponse:
    therapist = get_listed_therapist(slug)
    return render(request, "practice/therapist_detail.html", {"therapist": therapist})


@public
@require_GET
@follows_former_addresses
def therapist_photo(request: HttpRequest, slug: str) -> HttpResponseBase:
    therapist = get_listed_therapist(slug)
    response: HttpResponseBase
    try:
        response = FileResponse(therapist.photo.open("rb"), content_type="image/jpeg")
    except (ValueError, OSError):
        # No photo, or its file is gone (say, a database restored without the media folder).
        response = HttpResponse(placeholder_svg(therapist.name), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@public
@require_GET
def crisis(request: HttpRequest) -> HttpResponse:
    return render(request, "practice/crisis.html")


@role_required(Role.OWNER)
@require_http_methods(["GET", "POST"])
def practice_edit(request: StaffRequest) -> HttpResponse:
    form = PracticeForm(request.POST or None, instance=Practice.objects.current())
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "The practice profile is saved.")
        return redirect("practice:practice_edit")
    return render(request, "practice/staff/practice_edit.html", {"form": form})


@staff_required
@require_GET
def staff_therapists(request: StaffRequest) -> HttpResponse:
    user = request.user
    therapists = Therapist.objects.select_related("user")
    if user.role == Role.THERAPIST:
        therapists = therapists.filter(user=user)
    return render(request, "practice/staff/therapists.html", {"therapists": therapists})


@clinician_required
@require_http_methods(["GET", "POST"])
def therapist_edit(request: StaffRequest, slug: str) -> HttpResponse:
    user = request.user
    therapist = get_therapist_for_user(user, slug)
    form = TherapistForm(
        request.POST or None,
        request.FILES or None,
        instance=therapist,
        is_owner=user.role == Role.OWNER,
    )
    if request.method == "POST" and form.is_valid():
        therapist = therapist_save(form=form)
        messages.success(request, f"{therapist.name}'s profile is saved.")
        return redirect("practice:therapist_edit", slug=therapist.slug)
    return render(
        request, "practice/staff/therapist_form.html", {"form": form, "therapist": therapist}
    )


@role_required(Role.OWNER)
@require_http_methods(["GET", "POST"])
def therapist_create(request: StaffRequest) -> HttpResponse:
    form = TherapistForm(request.POST or None, request.FILES or None, is_owner=True)
    if request.method == "POST" and form.is_valid():
        therapist = form.save()
        messages.success(request, f"{therapist.name}'s profile is created.")
        return redirect("practice:therapist_edit", slug=therapist.slug)
    return render(request, "practice/staff/therapist_form.html", {"form": form, "therapist": None})
