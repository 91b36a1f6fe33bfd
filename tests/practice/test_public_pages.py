from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliance.practice.models import Accepting, Approach, Language, Specialty, Therapist
from tests.conftest import Personas, make_therapist

DIRECTORY = reverse("practice:directory")


def names(response: object) -> list[str]:
    return [therapist.name for therapist in response.context["therapists"]]  # type: ignore[attr-defined]


def setup_directory() -> None:
    Therapist.objects.update(is_listed=False)  # the personas' own profiles stay out of the way
    spanish = Language.objects.create(slug="spanish", name="Spanish")
    english = Language.objects.create(slug="english", name="English")
    anxiety = Specialty.objects.create(slug="anxiety", name="Anxiety")
    art = Approach.objects.create(slug="art-therapy", name="Art therapy")
    ana = make_therapist("ana-a", name="Ana A", accepting=Accepting.YES, offers_in_person=False)
    ana.languages.set([spanish, english])
    ana.specialties.set([anxiety])
    bea = make_therapist("bea-b", name="Bea B", accepting=Accepting.WAITLIST)
    bea.languages.set([spanish])
    bea.approaches.set([art])
    cal = make_therapist("cal-c", name="Cal C", accepting=Accepting.YES, offers_telehealth=False)
    cal.languages.set([english])
    make_therapist("hidden-h", name="Hidden H", is_listed=False)


def test_the_home_page_invites_a_consultation(personas: Personas) -> None:
    response = Client().get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("booking:consultation") in page
    assert "Call or text 988" in page
    assert "Test Practice" in page


def test_the_directory_lists_listed_therapists(personas: Personas) -> None:
    setup_directory()
    assert "Hidden H" not in names(Client().get(DIRECTORY))
    assert {"Ana A", "Bea B", "Cal C"} <= set(names(Client().get(DIRECTORY)))


def test_the_directory_filters_combine(personas: Personas) -> None:
    setup_directory()
    client = Client()
    assert names(client.get(DIRECTORY, {"accepting": "on", "language": "spanish"})) == ["Ana A"]
    assert names(client.get(DIRECTORY, {"language": "spanish"})) == ["Ana A", "Bea B"]
    assert names(client.get(DIRECTORY, {"specialty": "anxiety"})) == ["Ana A"]
    assert names(client.get(DIRECTORY, {"approach": "art-therapy"})) == ["Bea B"]
    in_person = names(client.get(DIRECTORY, {"format": "in-person", "language": "english"}))
    assert in_person == ["Cal C"]
    assert names(client.get(DIRECTORY, {"format": "telehealth", "language": "english"})) == [
        "Ana A"
    ]


def test_an_unknown_filter_value_is_explained_not_fatal(personas: Personas) -> None:
    setup_directory()
    response = Client().get(DIRECTORY, {"language": "klingon", "accepting": "on"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert names(response) == ["Ana A", "Cal C"]  # the valid filter still applies


def test_an_empty_result_offers_help(personas: Personas) -> None:
    setup_directory()
    Language.objects.create(slug="mandarin", name="Mandarin")
    page = Client().get(DIRECTORY, {"language": "mandarin"}).content.decode()
    assert "No one matches all of those filters right now." in page


def test_directory_queries_do_not_grow_with_therapists(personas: Personas) -> None:
    setup_directory()
    with CaptureQueriesContext(connection) as few:
        Client().get(DIRECTORY)
    for index in range(20):
        therapist = make_therapist(f"extra-{index}")
        therapist.languages.set(Language.objects.all())
        therapist.specialties.set(Specialty.objects.all())
    with CaptureQueriesContext(connection) as many:
        Client().get(DIRECTORY)
    assert len(many) == len(few)


def test_a_profile_shows_the_therapist(personas: Personas) -> None:
    setup_directory()
    therapist = Therapist.objects.get(slug="ana-a")
    therapist.how_i_work = "We start by getting to know each other."
    therapist.licensed_states = ["FL", "GA"]
    therapist.session_fee = 150
    therapist.save()
    page = Client().get(therapist.get_absolute_url()).content.decode()
    assert "We start by getting to know each other." in page
    assert "FL, GA" in page
    assert "$150" in page
    assert f"{reverse('booking:consultation')}?therapist=ana-a" in page


def test_an_unlisted_or_missing_profile_is_not_found(personas: Personas) -> None:
    setup_directory()
    assert Client().get(reverse("practice:therapist", args=["hidden-h"])).status_code == 404
    assert Client().get(reverse("practice:therapist", args=["nobody"])).status_code == 404


def test_a_therapist_not_accepting_points_elsewhere(personas: Personas) -> None:
    make_therapist("nora-n", name="Nora N", accepting=Accepting.NO)
    page = Client().get(reverse("practice:therapist", args=["nora-n"])).content.decode()
    assert "is not accepting new clients at the moment" in page
    assert "?therapist=nora-n" not in page


def test_a_placeholder_portrait_is_drawn_when_there_is_no_photo(personas: Personas) -> None:
    response = Client().get(reverse("practice:therapist_photo", args=[personas.tara.slug]))
    assert response["Content-Type"] == "image/svg+xml"
    assert b">TT</text>" in response.content


def test_the_crisis_page_lists_the_lines(personas: Personas) -> None:
    page = Client().get(reverse("practice:crisis")).content.decode()
    assert 'href="tel:988"' in page
    assert 'href="tel:911"' in page


def test_pages_send_a_strict_content_security_policy(personas: Personas) -> None:
    policy = Client().get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_a_missing_page_is_a_friendly_404(personas: Personas) -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_a_photo_whose_file_is_gone_falls_back_to_the_portrait(personas: Personas) -> None:
    Therapist.objects.filter(pk=personas.tara.pk).update(photo="therapists/lost.jpg")
    response = Client().get(reverse("practice:therapist_photo", args=[personas.tara.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"


def test_a_form_without_its_security_token_is_refused_kindly(personas: Personas) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("booking:consultation"), {"name": "Sam"})
    assert response.status_code == 403
    assert "Please send that again" in response.content.decode()
