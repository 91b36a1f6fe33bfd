import random
import uuid
from datetime import datetime, time, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from alliance.accounts.models import Role, User
from alliance.booking.appointments import SlotTaken, appointment_book
from alliance.booking.defaults import appointment_types_ensure
from alliance.booking.models import (
    Appointment,
    AppointmentType,
    BookingMessage,
    ConsultationRequest,
    MessageKind,
    RequestStatus,
    WorkingHours,
)
from alliance.clients.models import Client
from alliance.demo import content as demo
from alliance.demo.checkins import demo_checkins_load
from alliance.demo.history import demo_history_load, demo_name
from alliance.outbox.models import MessageStatus
from alliance.practice.models import (
    Approach,
    InsurancePlan,
    Language,
    Practice,
    Specialty,
    Therapist,
    practice_zone,
)

# Demo requests get stable tokens so that loading twice finds the rows it made the first time.
# Demo clients with bookings are named from here on in the demo name list.
BOOKED_NAMES_FROM = 200
DEMO_NAMESPACE = uuid.UUID("6f1c9a52-3d0e-4b8f-9a57-0c1de2f3a4b5")


class Command(BaseCommand):
    help = "Load the demo practice (idempotent: running it again adds nothing twice)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--without-history",
            action="store_true",
            help="Skip the twelve months of check-ins (quicker; for tests that need none).",
        )

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
            consultation_request, created = ConsultationRequest.objects.get_or_create(
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
                },
            )
            if created:  # the front desk was told when it arrived
                BookingMessage.objects.create(
                    consultation_request=consultation_request,
                    kind=MessageKind.REQUEST_NOTICE,
                    status=MessageStatus.SENT,
                    send_after=created_at,
                    next_attempt_at=created_at,
                    attempts=1,
                    sent_at=created_at,
                )
        for index, therapist in enumerate(therapists.values()):
            self._hours(therapist, index)
        self._appointments(list(therapists.values()), now)
        # Risk alerts go to the owner, a clinician, as well as to the treating therapist.
        Practice.objects.filter(pk=1, designated_clinician__isnull=True).update(
            designated_clinician=User.objects.get(email=demo.USERS[0]["email"])
        )
        zone = practice_zone()
        # Jamie's sessions first: the history's are placed in the hours left free.
        checkin_link = demo_checkins_load(
            therapist=therapists[demo.CHECKIN_THERAPIST], now=now, zone=zone
        )
        # Twelve months of check-ins; the demo therapist's own caseload first in the list.
        ordered = sorted(therapists.values(), key=lambda t: t.slug != demo.CHECKIN_THERAPIST)
        if not options["without_history"]:
            demo_history_load(therapists=ordered, now=now, zone=zone)

        new = ConsultationRequest.objects.filter(status=RequestStatus.NEW).count()
        self.stdout.write(
            f"Demo practice ready: {len(therapists)} therapists, "
            f"{ConsultationRequest.objects.count()} consultation requests ({new} new)."
        )
        if checkin_link:
            self.stdout.write(f"A client's check-in waiting to be answered: {checkin_link}")

    def _therapist(self, data: demo.TherapistData) -> Therapist:
        fields = {
            key: value
            for key, value in data.items()
            if key not in ("slug", "specialties", "approaches", "languages", "insurance_plans")
        }
        fields["video_room_url"] = (
            demo.VIDEO_ROOM.format(slug=data["slug"]) if data["offers_telehealth"] else ""
        )
        therapist, _ = Therapist.objects.update_or_create(slug=data["slug"], defaults=fields)
        therapist.specialties.set(Specialty.objects.filter(slug__in=data["specialties"]))
        therapist.approaches.set(Approach.objects.filter(slug__in=data["approaches"]))
        therapist.languages.set(Language.objects.filter(slug__in=data["languages"]))
        therapist.insurance_plans.set(
            InsurancePlan.objects.filter(slug__in=data["insurance_plans"])
        )
        return therapist

    def _hours(self, therapist: Therapist, index: int) -> None:
        """Believable weekly hours: office days in person, afternoons and evenings by video."""
        shift = index % 2  # half the team starts an hour later
        rows = []
        if therapist.offers_in_person:
            for weekday in (0, 2, 4):
                rows.append((weekday, time(9 + shift), time(12 + shift), "in_person"))
                rows.append((weekday, time(13 + shift), time(17 + shift), "in_person"))
        if therapist.offers_telehealth:
            for weekday in (1, 3):
                rows.append((weekday, time(12), time(19), "telehealth"))
            if not therapist.offers_in_person:
                for weekday in (0, 2):
                    rows.append((weekday, time(9), time(13), "telehealth"))
        WorkingHours.objects.filter(therapist=therapist).delete()
        WorkingHours.objects.bulk_create(
            WorkingHours(therapist=therapist, weekday=d, start=s, end=e, format=f)
            for d, s, e, f in rows
        )

    def _appointments(self, therapists: list[Therapist], now: datetime) -> None:
        """A few booked sessions in the coming fortnight, so availability looks real.

        Demo clients have no e-mail address, so nothing is sent on their behalf.
        """
        appointment_types_ensure()
        session = AppointmentType.objects.get(slug="session")
        zone = practice_zone()
        chooser = random.Random(2026)  # deterministic
        for therapist_index, therapist in enumerate(therapists):
            hours = list(WorkingHours.objects.filter(therapist=therapist))
            for number in range(8):
                day = now.astimezone(zone).date() + timedelta(days=chooser.randint(1, 14))
                todays = [row for row in hours if row.weekday == day.weekday()]
                if not todays:
                    continue
                row = chooser.choice(todays)
                hour = chooser.randint(row.start.hour, row.end.hour - 1)
                start = datetime.combine(day, time(hour), zone)
                key = f"demo:{therapist.slug}:{number}"
                if Appointment.objects.filter(idempotency_key=key).exists():
                    continue
                client, _ = Client.objects.get_or_create(
                    # Names beyond the history's (alliance/demo/history.py), so none is used twice.
                    name=demo_name(BOOKED_NAMES_FROM + therapist_index * 8 + number),
                    defaults={"therapist": therapist, "phone": "(239) 555-0100"},
                )
                try:
                    appointment_book(
                        therapist=therapist,
                        appointment_type=session,
                        client=client,
                        start=start,
                        format=row.format,
                        idempotency_key=key,
                        within_availability=False,
                    )
                except SlotTaken:
                    continue
