from alliance.booking.models import AppointmentType

# slug, name, minutes, buffer after, anyone may book, clients may book, free, sends a check-in
DEFAULT_TYPES = [
    ("consultation", "Free 15-minute consultation", 15, 5, True, False, True, False),
    ("intake", "First session (intake)", 60, 10, False, False, False, True),
    ("session", "Session", 50, 10, False, True, False, True),
]


def appointment_types_ensure() -> None:
    """Create the three standard appointment types where missing; never overwrite the owner's."""
    for slug, name, minutes, buffer, public, clients, free, checkin in DEFAULT_TYPES:
        AppointmentType.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "duration_minutes": minutes,
                "buffer_after_minutes": buffer,
                "bookable_by_public": public,
                "bookable_by_clients": clients,
                "is_free": free,
                "sends_checkin": checkin,
            },
        )
