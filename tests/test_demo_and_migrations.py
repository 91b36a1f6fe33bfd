import itertools
from collections import defaultdict
from io import StringIO
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from alliance.accounts.models import User
from alliance.booking.models import Appointment, ConsultationRequest, WorkingHours
from alliance.care.caseload import caseload_rows
from alliance.care.models import Alert, Response, SignalRecord, TherapySession
from alliance.practice.models import Accepting, Practice, Therapist


def test_no_model_change_lacks_a_migration(db: None) -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_the_demo_loads_once_however_often_it_runs(db: None) -> None:
    call_command("load_demo", stdout=StringIO())
    counts = (
        Therapist.objects.count(),
        User.objects.count(),
        ConsultationRequest.objects.count(),
        Response.objects.count(),
    )
    call_command("load_demo", stdout=StringIO())
    again = (
        Therapist.objects.count(),
        User.objects.count(),
        ConsultationRequest.objects.count(),
        Response.objects.count(),
    )
    assert counts == again
    assert counts[0] >= 6
    # Twelve months of history in which the engine finds every kind of signal, and the demo
    # therapist's own caseload has an open alert of every kind.
    kinds = set(SignalRecord.objects.values_list("kind", flat=True))
    assert kinds == {
        "risk",
        "rupture",
        "repair",
        "unrepaired_rupture",
        "disagreement",
        "low_alliance",
        "not_on_track",
        "no_improvement",
        "reliable_deterioration",
    }
    marisol = Alert.objects.filter(therapist__slug="marisol-vega", state="open")
    assert set(marisol.values_list("kind", flat=True)) == {
        "risk",
        "rupture",
        "unrepaired_rupture",
        "disagreement",
        "low_alliance",
        "not_on_track",
        "no_improvement",
        "reliable_deterioration",
    }


def test_the_demo_is_a_believable_practice(db: None) -> None:
    call_command("load_demo", without_history=True, stdout=StringIO())
    assert Practice.objects.current().time_zone == "America/New_York"
    spanish = Therapist.objects.filter(languages__slug="spanish")
    assert spanish.filter(accepting=Accepting.YES).count() >= 2
    assert {t.accepting for t in Therapist.objects.all()} == set(Accepting.values)
    assert Therapist.objects.filter(offers_telehealth=True, offers_in_person=False).exists()
    assert Therapist.objects.filter(offers_in_person=True, offers_telehealth=False).exists()
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == {"owner", "therapist", "frontdesk"}
    assert all(t.user_id for t in Therapist.objects.all())
    assert User.objects.get(email="frontdesk@sabal.test").check_password("alliance-demo")
    assert ConsultationRequest.objects.filter(status="new").exists()


def test_each_demo_therapist_who_offers_video_has_a_room_on_an_example_domain(db: None) -> None:
    call_command("load_demo", without_history=True, stdout=StringIO())
    rooms = dict(Therapist.objects.values_list("slug", "video_room_url"))
    assert rooms["marisol-vega"] == "https://video.example.org/sabal-marisol-vega"
    assert rooms["jonathan-liu"] == "https://video.example.org/sabal-jonathan-liu"
    assert rooms["andres-calderon"] == ""  # in person only
    assert rooms["jordan-reyes"] == ""
    for therapist in Therapist.objects.filter(offers_telehealth=True):
        therapist.full_clean()
        assert therapist.video_room_url.startswith("https://video.example.org/sabal-")


def test_the_demo_prints_a_waiting_check_in_that_opens(db: None) -> None:
    out = StringIO()
    call_command("load_demo", without_history=True, stdout=out)
    link = out.getvalue().split("A client's check-in waiting to be answered: ")[1].strip()
    page = Client().get("/" + link.split("/", 3)[3])
    assert page.status_code == 200
    assert "How was your session?" in page.content.decode()
    # A returning client's usual check-in: the session questions only.
    assert "Under a minute." in page.content.decode()
    assert 'id="instrument-phq9"' not in page.content.decode()
    jamie = Response.objects.filter(client__email="jamie@sabal.test")
    # Three sessions answered as the default plan asked.
    assert sorted(jamie.values_list("session__date", "instrument")) == [
        (day, code)
        for day, codes in zip(
            sorted(set(jamie.values_list("session__date", flat=True))),
            (
                ["alliance_client", "alliance_therapist", "gad7", "phq9"],
                ["alliance_client", "alliance_therapist", "rses"],
                ["alliance_client", "alliance_therapist"],
            ),
            strict=True,
        )
        for code in codes
    ]
    assert Practice.objects.current().designated_clinician is not None


def test_the_demo_schedule_agrees_with_the_history_and_with_today(db: None) -> None:
    # Holds whatever the date: `make test-dates` runs it under faketime at several.
    call_command("load_demo", stdout=StringIO())
    now = timezone.now()
    zone = ZoneInfo("America/New_York")
    # Nothing that has begun is still waiting to happen; a few clients did not come.
    past = Appointment.objects.filter(start__lt=now)
    assert not past.filter(status="booked").exists()
    statuses = set(past.values_list("status", flat=True))
    assert statuses == {"fulfilled", "noshow"}
    assert past.filter(status="noshow").count() * 10 < past.count()
    assert not past.filter(messages__kind__in=["reminder", "checkin"]).exists()
    # The caseload's last session is a day on which the schedule shows that client's session.
    marisol = User.objects.get(email="marisol@sabal.test")
    browser = Client()
    browser.force_login(marisol)
    rows = [row for row in caseload_rows(marisol) if row.last_session is not None]
    assert len(rows) >= 7
    for row in rows:
        page = browser.get(f"/staff/schedule/?date={row.last_session:%Y-%m-%d}").content.decode()
        assert row.client.name in page, (row.client.name, row.last_session)
    # Every history session has its appointment, on the same day.
    for session in TherapySession.objects.select_related("appointment"):
        assert session.appointment is not None
        assert session.appointment.start.astimezone(zone).date() == session.date
        assert session.appointment.status == "fulfilled"
    # Each in the therapist's working hours, in the format of those hours.
    hours = defaultdict(list)
    for therapist_id, weekday, format, opens, closes in WorkingHours.objects.values_list(
        "therapist_id", "weekday", "format", "start", "end"
    ):
        hours[(therapist_id, weekday, format)].append((opens, closes))
    for appointment in past:
        start, end = appointment.start.astimezone(zone), appointment.end.astimezone(zone)
        spans = hours[(appointment.therapist_id, start.weekday(), appointment.format)]
        assert any(opens <= start.time() and end.time() <= closes for opens, closes in spans), (
            appointment
        )
    # One therapist is never in two places at once.
    for _, appointments in itertools.groupby(
        Appointment.objects.order_by("therapist_id", "start"), key=lambda a: a.therapist_id
    ):
        for earlier, later in itertools.pairwise(appointments):
            assert earlier.blocked_until <= later.start
