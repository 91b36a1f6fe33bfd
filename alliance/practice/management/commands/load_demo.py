import uuid
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from alliance.accounts.models import Role, User
from alliance.booking.models import ConsultationRequest, RequestStatus
from alliance.practice import demo_content as demo
from alliance.practice.models import (
    Approach,
    InsurancePlan,
    Language,
    Practice,
    Specialty,
    Therapist,
)

# Demo requests get stable tokens so that loading twice finds the rows it made the first time.
DEMO_NAMESPACE = uuid.UUID("6f1c9a52-3d0e-4b8f-9a57-0c1de2f3a4b5")


class Command(BaseCommand):
    help = "Load the demo practice (idempotent: running it again adds nothing twice)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        Practice.objects.update_or_create(pk=1, defaults=dict(demo.PRACTICE))
        for slug, name in demo.SPECIALTIES:
            Specialty.objects.update_or_create(slug=slug, defaults={"name": name})
        for slug, name, description in demo.APPROACHES:
            Approach.objects.update_or_create(
                slug=slug, defaults={"name": name, "description": description}
            )
        for slug, name in demo.LANGUAGES:
            Language.objects.update_or_create(slug=slug, defaults={"name": name})
        for slug, name in demo.INSURANCE_PLANS:
            InsurancePlan.objects.update_or_create(slug=slug, defaults={"name": name})

        therapists = {data["slug"]: self._therapist(data) for data in demo.THERAPISTS}
        for user_data in demo.USERS:
            user = User.objects.filter(email=user_data["email"]).first()
            if user is None:
                make = (
                    User.objects.create_superuser
                    if user_data["role"] == Role.OWNER.value
                    else User.objects.create_user
                )
                user = make(
                    user_data["email"],
                    user_data["password"],
                    full_name=user_data["full_name"],
                    role=user_data["role"],
                )
            if user_data["therapist_slug"]:
                therapist = therapists[user_data["therapist_slug"]]
                Therapist.objects.filter(pk=therapist.pk).update(user=user)

        now = timezone.now()
        for request_data in demo.CONSULTATION_REQUESTS:
            token = uuid.uuid5(DEMO_NAMESPACE, request_data["key"])
            created_at = now - timedelta(hours=request_data["hours_ago"])
            minutes = request_data["first_response_after_minutes"]
            ConsultationRequest.objects.get_or_create(
                submission_token=token,
                defaults={
                    "name": request_data["name"],
                    "email": request_data["email"],
                    "phone": request_data["phone"],
                    "preferred_contact": request_data["preferred_contact"],
                    "therapist": therapists.get(request_data["therapist_slug"] or ""),
                    "message": request_data["message"],
                    "times": request_data["times"],
                    "consent": True,
                    "status": request_data["status"],
                    "created_at": created_at,
                    "first_response_at": (
                        created_at + timedelta(minutes=minutes) if minutes is not None else None
                    ),
                    "notified_at": created_at,
                },
            )
        new = ConsultationRequest.objects.filter(status=RequestStatus.NEW).count()
        self.stdout.write(
            f"Demo practice ready: {len(therapists)} therapists, "
            f"{ConsultationRequest.objects.count()} consultation requests ({new} new)."
        )

    def _therapist(self, data: demo.TherapistData) -> Therapist:
        fields = {
            key: value
            for key, value in data.items()
            if key not in ("slug", "specialties", "approaches", "languages", "insurance_plans")
        }
        therapist, _ = Therapist.objects.update_or_create(slug=data["slug"], defaults=fields)
        therapist.specialties.set(Specialty.objects.filter(slug__in=data["specialties"]))
        therapist.approaches.set(Approach.objects.filter(slug__in=data["approaches"]))
        therapist.languages.set(Language.objects.filter(slug__in=data["languages"]))
        therapist.insurance_plans.set(
            InsurancePlan.objects.filter(slug__in=data["insurance_plans"])
        )
        return therapist
