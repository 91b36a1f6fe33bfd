"""The therapist's brief, the caseload by need, and the client's own progress page."""

import re

import pytest
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.care.engine.incremental import signals_recompute_client
from alliance.care.progress import progress_token_make
from alliance.clients.models import Client
from tests.care.history import practice_today, session_with, weekly
from tests.conftest import Personas, signed_in

pytestmark = pytest.mark.django_db


def ruptured(personas: Personas, name: str = "Robin Rupture") -> Client:
    client = Client.objects.create(name=name, therapist=personas.tara)
    days = weekly(practice_today(), 4)
    for day, (client_score, own, phq9) in zip(
        # The therapist's own rating falls with the client's: a rupture both saw.
        days,
        ((30, 26, 16), (31, 27, 14), (30, 27, 13), (22, 22, 13)),
        strict=True,
    ):
        session_with(
            client,
            day,
            alliance=client_score,
            tension=2 if client_score == 22 else 0,
            therapist_alliance=own,
            phq9=phq9,
        )
    signals_recompute_client(client=client, now=timezone.now())
    return client


def test_the_brief_puts_the_alert_first_with_why_and_what_to_do(personas: Personas) -> None:
    client = ruptured(personas)
    html = signed_in(personas.therapist).get(f"/staff/clients/{client.uuid}/").content.decode()
    assert html.index("Possible rupture") < html.index("The course so far")
    assert "fell to 22 of 35 from their recent level of 30" in html
    assert "answered &quot;yes&quot;" in html
    assert "metacommunication" in html
    assert "Safran &amp; Muran 2000" in html
    assert (
        "The client&#x27;s alliance rating: 30 at session 3 → 22 at session 4 (-8, worse)." in html
    )


def test_the_brief_draws_accessible_charts_with_markers_and_a_table(personas: Personas) -> None:
    client = ruptured(personas)
    html = signed_in(personas.therapist).get(f"/staff/clients/{client.uuid}/").content.decode()
    assert html.count('role="img"') == 2  # PHQ-9 and the alliance
    assert "Rupture, session 4: from a level of 30 to 22" in html
    assert "Tension reported, session 4: the client said so" in html
    assert "<summary>The numbers</summary>" in html
    assert "the project's default curve" in html


def test_acting_on_an_alert_from_the_brief_records_it(personas: Personas) -> None:
    client = ruptured(personas)
    alert = client.alerts.get(kind="rupture")
    browser = signed_in(personas.therapist)
    browser.post(
        f"/staff/alerts/{alert.uuid}/",
        {"to": "resolved", "action": "talked_through", "note": "Named it; agreed a new pace."},
    )
    html = browser.get(f"/staff/clients/{client.uuid}/").content.decode()
    assert "Past alerts" in html
    assert "talked it through with the client" in html
    assert "No open alerts." in html


def test_the_caseload_puts_the_client_in_need_first(personas: Personas) -> None:
    Client.objects.create(name="Aaron Calm", therapist=personas.tara)
    ruptured(personas, "Zed Rupture")
    html = signed_in(personas.therapist).get("/staff/clients/").content.decode()
    assert html.index("Zed Rupture") < html.index("Aaron Calm")
    assert "Possible rupture" in html


def test_the_caseload_costs_the_same_queries_for_many_clients(personas: Personas) -> None:
    ruptured(personas, "First")
    browser = signed_in(personas.therapist)
    with CaptureQueriesContext(connection) as few:
        browser.get("/staff/clients/")
    for number in range(5):
        ruptured(personas, f"Client {number}")
    with CaptureQueriesContext(connection) as many:
        browser.get("/staff/clients/")
    assert len(many) == len(few)


def test_the_client_sees_their_own_scores_in_plain_words_and_nothing_else(
    personas: Personas,
) -> None:
    client = ruptured(personas)
    page = Browser().get(f"/progress/{progress_token_make(client)}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Low mood and interest" in html
    assert "16 (moderately severe)" in html
    assert "13 (moderate)" in html
    main = html[html.index("<main") : html.index("</main>")]
    words = re.sub(r"<svg.*?</svg>", "", main, flags=re.S).lower()  # the charts' shape library
    assert "rupture" not in words
    assert "alliance" not in words
    assert "your therapist rated" not in words


def test_a_forged_progress_link_shows_nothing(personas: Personas) -> None:
    page = Browser().get("/progress/forged/")
    assert page.status_code == 404
    assert "This link has expired" in page.content.decode()


def test_the_brief_says_when_a_rating_is_missing_and_names_the_sessions_it_compares(
    personas: Personas,
) -> None:
    """The therapist did not rate the latest session, and the client skipped the one before:
    no "unchanged" from older sessions, and every comparison says which sessions it joins."""
    client = Client.objects.create(name="Gale Gaps", therapist=personas.tara)
    days = weekly(practice_today(), 4)
    for day, (client_score, own) in zip(
        days, ((30, 28), (29, 28), (None, 28), (26, None)), strict=True
    ):
        session_with(client, day, alliance=client_score, therapist_alliance=own)
    signals_recompute_client(client=client, now=timezone.now())
    html = signed_in(personas.therapist).get(f"/staff/clients/{client.uuid}/").content.decode()
    assert "Your alliance rating: not given for session 4 (28 at session 3)." in html
    assert "unchanged" not in html
    assert (
        "The client&#x27;s alliance rating: 29 at session 2 → 26 at session 4 (-3, worse)." in html
    )
