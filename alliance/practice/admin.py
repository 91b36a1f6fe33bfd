from django.contrib import admin

from alliance.practice.models import (
    Approach,
    FormerAddress,
    InsurancePlan,
    Language,
    Practice,
    Specialty,
    Therapist,
)


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin[Practice]):
    list_display = ["name", "phone", "email", "time_zone"]


@admin.register(Therapist)
class TherapistAdmin(admin.ModelAdmin[Therapist]):
    list_display = ["name", "credentials", "accepting", "is_listed", "display_order"]
    list_filter = ["accepting", "is_listed"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["specialties", "approaches", "languages", "insurance_plans"]


@admin.register(Specialty, Approach, Language, InsurancePlan)
class TermAdmin(admin.ModelAdmin[Specialty]):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(FormerAddress)
class FormerAddressAdmin(admin.ModelAdmin[FormerAddress]):
    """Deleting one frees the address for another profile; its old links then find nothing."""

    list_display = ("slug", "therapist", "retired_at")
