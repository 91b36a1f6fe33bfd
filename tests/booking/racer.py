"""The child process of the concurrency test. Spawned in a fresh interpreter, so it imports
Django only after pointing it at the test database the parent made."""

import multiprocessing
import os
from datetime import datetime
from multiprocessing.synchronize import Barrier


def book(
    database: str,
    barrier: Barrier,
    results: "multiprocessing.Queue[tuple[str, str]]",
    index: int,
    start: datetime,
) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "alliance.settings"
    import django

    django.setup()
    from django.db import connections

    from alliance.booking.appointments import SlotTaken, appointment_book_for_visitor
    from alliance.booking.models import AppointmentType
    from alliance.practice.models import Therapist

    connections["default"].settings_dict["NAME"] = database
    therapist = Therapist.objects.get(slug="bo-bookable")
    appointment_type = AppointmentType.objects.get(slug="consultation")
    barrier.wait(timeout=60)
    try:
        appointment_book_for_visitor(
            therapist=therapist,
            appointment_type=appointment_type,
            name=f"Racer {index}",
            email=f"racer{index}@example.com",
            phone="",
            start=start,
            format="telehealth",
            idempotency_key=f"race-{index}",
        )
    except SlotTaken:
        results.put((start.isoformat(), "taken"))
    except Exception as error:  # reported, and fails the test
        results.put((start.isoformat(), f"error {type(error).__name__}: {error}"))
    else:
        results.put((start.isoformat(), "booked"))
    finally:
        connections.close_all()
