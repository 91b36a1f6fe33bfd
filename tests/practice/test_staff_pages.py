from datetime import UTC, datetime
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from alliance.practice.models import Practice, Therapist
from tests.booking.test_inbox import make_request
from tests.conftest import Personas, signed_in

PRACTICE_EDIT = reverse("practice:practice_edit")


def practice_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Harbour Light Therapy",
        "tagline": "",
        "phone": "(239) 555-0100",
        "email": "hello@example.com",
        "address": "1 Main St",
        "time_zone": "America/Chicago",
        "crisis_text": "After hours, call 988.",
        "late_cancel_hours": "48",
        "reminder_hours": "[72, 2]",
        "waitlist_offer_count": "3",
        "designated_clinician": "",
        "checkin_link_days": "7",
        "no_improvement_by_session": "8",
    }
    data.update(overrides)
    return data


def therapist_data(therapist: Therapist, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": therapist.name,
        "slug": therapist.slug,
        "credentials": "LCSW",
        "pronouns": "she/her",
        "bio": "I listen.",
        "how_i_work": "",
        "accepting": "yes",
        "offers_in_person": "on",
        "offers_telehealth": "on",
        "licensed_states": "fl, ga",
        "session_fee": "150",
        "is_listed": "on",
        "display_order": "1",
    }
    data.update(overrides)
    return data


def test_the_owner_sets_when_a_client_not_improving_is_flagged(personas: Personas) -> None:
    owner = signed_in(personas.owner)
    assert 'name="no_improvement_by_session" value="8"' in owner.get(PRACTICE_EDIT).content.decode()
    Practice.objects.filter(pk=Practice.objects.current().pk).update(
        signal_settings={"repair_window": 4}
    )
    assert (
        owner.post(PRACTICE_EDIT, practice_data(no_improvement_by_session="10")).status_code == 302
    )
    practice = Practice.objects.current()
    assert practice.signal_settings == {"repair_window": 4, "no_improvement_by_session": 10}
    assert 'value="10"' in owner.get(PRACTICE_EDIT).content.decode()
    refused = owner.post(PRACTICE_EDIT, practice_data(no_improvement_by_session="1"))
    assert refused.status_code == 200
    assert "greater than or equal to 2" in refused.content.decode()


def test_the_owner_edits_the_practice(personas: Personas) -> None:
    response = signed_in(personas.owner).post(PRACTICE_EDIT, practice_data())
    assert response.status_code == 302
    practice = Practice.objects.current()
    assert practice.name == "Harbour Light Therapy"
    assert practice.time_zone == "America/Chicago"
    assert practice.late_cancel_hours == 48
    assert practice.reminder_hours == [72, 2]


def test_the_owner_names_a_clinician_for_risk_alerts_but_not_the_front_desk(
    personas: Personas,
) -> None:
    owner = signed_in(personas.owner)
    owner.post(PRACTICE_EDIT, practice_data(designated_clinician=str(personas.therapist.pk)))
    assert Practice.objects.current().designated_clinician == personas.therapist
    refused = owner.post(
        PRACTICE_EDIT, practice_data(designated_clinician=str(personas.frontdesk.pk))
    )
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    assert Practice.objects.current().designated_clinician == personas.therapist


def test_reminder_hours_must_be_whole_hours(personas: Personas) -> None:
    response = signed_in(personas.owner).post(
        PRACTICE_EDIT, practice_data(reminder_hours='["soon"]')
    )
    assert "List whole hours between 1 and 336" in response.content.decode()


def test_only_the_owner_edits_the_practice(personas: Personas) -> None:
    for user in (personas.frontdesk, personas.therapist, personas.client):
        client = signed_in(user)
        assert client.get(PRACTICE_EDIT).status_code == 403
        assert client.post(PRACTICE_EDIT, practice_data()).status_code == 403
    assert Practice.objects.current().name == "Test Practice"


def test_a_bad_time_zone_is_explained_and_nothing_is_lost(personas: Personas) -> None:
    response = signed_in(personas.owner).post(PRACTICE_EDIT, practice_data(time_zone="Mars/Base"))
    page = response.content.decode()
    assert "is not a time zone name" in page
    assert 'value="Harbour Light Therapy"' in page
    assert Practice.objects.current().time_zone == "America/New_York"


def test_times_are_shown_in_the_practice_zone(personas: Personas) -> None:
    signed_in(personas.owner).post(PRACTICE_EDIT, practice_data(time_zone="America/Chicago"))
    make_request("Avery", created_at=datetime(2026, 11, 2, 15, 0, tzinfo=UTC))
    page = signed_in(personas.frontdesk).get(reverse("booking:inbox")).content.decode()
    assert "Mon 2 Nov, 9:00 AM CST" in page


def test_a_therapist_edits_their_own_profile(personas: Personas) -> None:
    url = reverse("practice:therapist_edit", args=[personas.tara.slug])
    response = signed_in(personas.therapist).post(url, therapist_data(personas.tara, slug="taken"))
    assert response.status_code == 302
    personas.tara.refresh_from_db()
    assert personas.tara.licensed_states == ["FL", "GA"]
    assert personas.tara.slug == "tara-tate"  # the address is the owner's decision


def test_a_colleague_cannot_edit_another_profile(personas: Personas) -> None:
    url = reverse("practice:therapist_edit", args=[personas.tara.slug])
    client = signed_in(personas.colleague)
    assert client.get(url).status_code == 404
    assert client.post(url, therapist_data(personas.tara, bio="Hijacked")).status_code == 404
    assert signed_in(personas.frontdesk).get(url).status_code == 403
    personas.tara.refresh_from_db()
    assert personas.tara.bio == "Listens well."


def test_the_owner_edits_any_profile_and_may_unlist_it(personas: Personas) -> None:
    url = reverse("practice:therapist_edit", args=[personas.tara.slug])
    data = therapist_data(personas.tara)
    del data["is_listed"]
    assert signed_in(personas.owner).post(url, data).status_code == 302
    personas.tara.refresh_from_db()
    assert personas.tara.is_listed is False


def test_profile_mistakes_are_explained(personas: Personas) -> None:
    url = reverse("practice:therapist_edit", args=[personas.tara.slug])
    data = therapist_data(personas.tara, licensed_states="FL, XX")
    del data["offers_in_person"]
    del data["offers_telehealth"]
    page = signed_in(personas.therapist).post(url, data).content.decode()
    assert "Not a US state code: XX" in page
    assert "Offer at least one format" in page


def jpeg_with_location() -> bytes:
    image = Image.new("RGB", (1600, 1200), "#88aa99")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera maker
    exif[0x010E] = "Taken at 26.64 N, 81.87 W"  # image description
    buffer = BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_an_uploaded_photo_is_shrunk_and_stripped(personas: Personas) -> None:
    url = reverse("practice:therapist_edit", args=[personas.tara.slug])
    data = therapist_data(personas.tara)
    data["photo"] = SimpleUploadedFile("me.jpg", jpeg_with_location(), "image/jpeg")
    assert signed_in(personas.therapist).post(url, data).status_code == 302
    personas.tara.refresh_from_db()
    served = Client().get(reverse("practice:therapist_photo", args=[personas.tara.slug]))
    body = b"".join(served.streaming_content)  # type: ignore[attr-defined]
    assert served["Content-Type"] == "image/jpeg"
    with Image.open(BytesIO(body)) as image:
        assert max(image.size) == 800
        assert not image.getexif()
    assert b"SecretCam" not in body
    assert b"81.87" not in body


def test_a_file_that_is_not_a_photo_is_refused(personas: Personas) -> None:
    url = reverse("practice:therapist_edit", args=[personas.tara.slug])
    data = therapist_data(personas.tara)
    data["photo"] = SimpleUploadedFile("me.jpg", b"%PDF-1.4 not a picture", "image/jpeg")
    response = signed_in(personas.therapist).post(url, data)
    assert response.status_code == 200
    assert "Upload a valid image" in response.content.decode()
    personas.tara.refresh_from_db()
    assert not personas.tara.photo


def test_the_owner_adds_a_therapist(personas: Personas) -> None:
    url = reverse("practice:therapist_create")
    new = Therapist(name="Nia New", slug="nia-new")
    assert signed_in(personas.owner).post(url, therapist_data(new)).status_code == 302
    assert Therapist.objects.get(slug="nia-new").credentials == "LCSW"
    assert signed_in(personas.therapist).get(url).status_code == 403


def test_staff_see_the_therapist_list_they_may_edit(personas: Personas) -> None:
    url = reverse("practice:staff_therapists")
    owner_page = signed_in(personas.owner).get(url)
    assert {t.slug for t in owner_page.context["therapists"]} == {"tara-tate", "theo-tran"}
    own = signed_in(personas.therapist).get(url)
    assert [t.slug for t in own.context["therapists"]] == ["tara-tate"]
    desk = signed_in(personas.frontdesk).get(url)
    assert {t.slug for t in desk.context["therapists"]} == {"tara-tate", "theo-tran"}
    assert reverse("practice:therapist_edit", args=["tara-tate"]) not in desk.content.decode()


def test_reminders_are_a_list_of_hours_and_the_zone_a_choice_of_real_zones(
    personas: Personas,
) -> None:
    owner = signed_in(personas.owner)
    owner.post(PRACTICE_EDIT, practice_data(reminder_hours="24, 48, 2, 24"))
    assert Practice.objects.current().reminder_hours == [48, 24, 2]
    page = owner.get(PRACTICE_EDIT).content.decode()
    assert 'value="48, 24, 2"' in page
    # The zone field offers the IANA names to pick from as one types.
    assert '<datalist id="time-zones">' in page
    assert '<option value="America/Chicago">' in page
    refused = owner.post(PRACTICE_EDIT, practice_data(reminder_hours="two days", time_zone="Mars"))
    html = refused.content.decode()
    assert "List whole hours between 1 and 336, separated by commas, e.g. 48, 24." in html
    assert "&#x27;Mars&#x27; is not a time zone name" in html
    assert 'value="two days"' in html  # what was typed comes back


def test_the_admin_names_every_model_in_good_english() -> None:
    from django.apps import apps

    plurals = {
        model._meta.label: str(model._meta.verbose_name_plural)
        for model in apps.get_models()
        if model.__module__.startswith("alliance.")
    }
    assert plurals["practice.Approach"] == "approaches"
    assert plurals["care.CheckinInvitation"] == "check-in invitations"
    # No "-chs", "-shs", "-xs", "-ss" or consonant + "ys" made by adding an "s".
    bad = [
        plural
        for plural in plurals.values()
        if any(plural.endswith(end) for end in ("chs", "shs", "xs", "sss"))
        or (plural.endswith("ys") and plural[-3] not in "aeiou")
    ]
    assert bad == []
