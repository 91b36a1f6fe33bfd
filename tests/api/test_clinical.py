"""The staff API round trip: a token, a client, their responses, their outcomes."""

from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from alliance.accounts.models import User
from alliance.accounts.tokens import api_token_create
from alliance.care.engine.incremental import signals_recompute_client
from alliance.care.models import Alert, AlertMessage, AlertMessageKind, Response, TherapySession
from alliance.clients.models import Client as CareClient
from alliance.practice.models import Therapist
from tests.api.helpers import API, locations
from tests.care.history import alliance_answers
from tests.conftest import Personas

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as HttpResponse

pytestmark = pytest.mark.django_db


class Caller:
    """An outside program holding one staff member's token."""

    def __init__(self, user: User) -> None:
        self.headers = {"Authorization": f"Bearer {api_token_create(user=user)}"}

    def get(self, path: str) -> "HttpResponse":
        return HttpClient().get(f"{API}{path}", headers=self.headers)

    def post(self, path: str, body: Any, **headers: str) -> "HttpResponse":
        return HttpClient().post(
            f"{API}{path}",
            body,
            content_type="application/json",
            headers=self.headers | headers,
        )

    def new_client(self, therapist: Therapist) -> str:
        created = self.post("/clients", {"name": "Casey Client", "therapist_id": therapist.pk})
        assert created.status_code == 201, created.content
        client_id: str = created.json()["id"]
        return client_id


def phq9(*values: int) -> dict[str, int]:
    return {f"phq9_{number}": value for number, value in enumerate(values, start=1)}


def gad7(*values: int) -> dict[str, int]:
    return {f"gad7_{number}": value for number, value in enumerate(values, start=1)}


def record(caller: Caller, client_id: str, body: dict[str, Any]) -> dict[str, Any]:
    response = caller.post(f"/clients/{client_id}/responses", body)
    assert response.status_code == 201, response.content
    result: dict[str, Any] = response.json()
    return result


def test_the_round_trip_from_token_to_outcomes(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    first = record(
        tara,
        client_id,
        {
            "instrument": "phq9",
            "answers": phq9(2, 2, 2, 2, 2, 1, 1, 1, 0),
            "session_date": "2026-09-01",
        },
    )
    assert first["total"] == 13
    assert first["band"] == "Moderate"
    assert first["prorated"] is False
    assert first["flags"] == []
    record(
        tara,
        client_id,
        {"instrument": "gad7", "answers": gad7(2, 2, 2, 1, 1, 1, 1), "session_date": "2026-09-01"},
    )
    record(
        tara,
        client_id,
        {
            "instrument": "phq9",
            "answers": phq9(1, 1, 1, 1, 0, 0, 0, 0, 0),
            "session_date": "2026-10-20",
        },
    )
    record(
        tara,
        client_id,
        {"instrument": "gad7", "answers": gad7(1, 1, 1, 0, 0, 0, 0), "session_date": "2026-10-20"},
    )
    outcomes = tara.get(f"/clients/{client_id}/outcomes")
    assert outcomes.status_code == 200
    assert outcomes.json() == {
        "phq9": {"first": 13, "last": 4, "change": -9, "reliable_change": "improved"},
        "gad7": {"first": 10, "last": 3, "change": -7, "reliable_change": "improved"},
        "rses": {"first": None, "last": None, "change": None, "reliable_change": None},
        "nhs": {
            "eligible": True,
            "caseness_at_start": True,
            "recovered": True,
            "reliable_improvement": True,
            "reliable_deterioration": False,
            "reliable_recovery": True,
        },
    }


def test_outcomes_are_null_with_too_few_scores(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    record(tara, client_id, {"instrument": "phq9", "answers": phq9(1, 1, 1, 1, 1, 1, 1, 1, 0)})
    body = tara.get(f"/clients/{client_id}/outcomes").json()
    assert body["phq9"] == {"first": 8, "last": None, "change": None, "reliable_change": None}
    assert body["nhs"]["eligible"] is False
    assert body["nhs"]["recovered"] is None


def test_item_9_flags_risk_whatever_the_total_and_alerts_at_once(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    result = record(
        tara, client_id, {"instrument": "phq9", "answers": phq9(0, 0, 0, 0, 0, 0, 0, 0, 1)}
    )
    assert result["total"] == 1
    assert result["band"] == "Minimal"
    assert result["flags"] == ["risk"]
    alert = Alert.objects.get()
    assert alert.response == Response.objects.get()
    recipients = set(
        AlertMessage.objects.filter(alert=alert, kind=AlertMessageKind.RISK_ALERT).values_list(
            "recipient__email", flat=True
        )
    )
    assert recipients == {"tara@example.com", "olivia@example.com"}


def test_an_unscorable_phq9_with_item_9_still_alerts_and_scores_nothing(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    answers = {"phq9_9": 2, "phq9_1": 1}
    refused = tara.post(
        f"/clients/{client_id}/responses", {"instrument": "phq9", "answers": answers}
    )
    assert refused.status_code == 422
    assert Response.objects.count() == 0
    alert = Alert.objects.get()
    assert alert.response is None
    # The session is recorded, so the alert names it (tests/api/test_risk_answers.py).
    assert alert.session == TherapySession.objects.get()


def test_proration_is_reported(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    answers = phq9(2, 2, 2, 2, 2, 2, 2, 2, 0)
    del answers["phq9_1"], answers["phq9_2"]
    result = record(tara, client_id, {"instrument": "phq9", "answers": answers})
    assert result["prorated"] is True
    assert result["total"] == 15  # 12 over 7 items, times 9 = 15.43, rounded


def test_bad_answers_are_named(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    answers: dict[str, Any] = phq9(1, 1, 1, 1, 1, 1, 1, 1, 0) | {"phq9_3": 4, "phq9_10": 1}
    answers["phq9_4"] = "2.5"
    refused = tara.post(
        f"/clients/{client_id}/responses", {"instrument": "phq9", "answers": answers}
    )
    where = locations(refused)
    assert ["body", "payload", "answers", "phq9_3"] in where
    assert ["body", "payload", "answers", "phq9_10"] in where
    assert ["body", "payload", "answers", "phq9_4"] in where


def test_a_repair_answer_after_no_tension_is_refused_naming_both_items(
    personas: Personas,
) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    answers = alliance_answers("ac", 28, tension=0) | {"ac_repair": 4}
    refused = tara.post(
        f"/clients/{client_id}/responses", {"instrument": "alliance_client", "answers": answers}
    )
    assert refused.status_code == 422
    assert refused.json()["detail"] == [
        {
            "loc": ["body", "payload", "answers", "ac_repair"],
            "msg": "answered, but it is asked only when ac_tension is 1 or more, "
            "and ac_tension is 0",
            "type": "value_error",
        }
    ]
    assert Response.objects.count() == 0
    assert TherapySession.objects.count() == 0


def test_too_many_missing_items_are_refused(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    refused = tara.post(
        f"/clients/{client_id}/responses", {"instrument": "gad7", "answers": gad7(1, 1, 1)}
    )
    assert refused.status_code == 422
    assert "gad7_4" in refused.content.decode()


def test_an_unknown_instrument_is_named(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    refused = tara.post(f"/clients/{client_id}/responses", {"instrument": "oq45", "answers": {}})
    assert locations(refused) == [["body", "payload", "instrument"]]


def test_a_retry_with_the_same_key_returns_the_first_result(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    body = {"instrument": "gad7", "answers": gad7(1, 1, 1, 1, 1, 1, 1)}
    first = tara.post(f"/clients/{client_id}/responses", body, **{"Idempotency-Key": "k-1"})
    again = tara.post(f"/clients/{client_id}/responses", body, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Response.objects.count() == 1


def test_the_same_key_with_other_answers_is_refused(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    path = f"/clients/{client_id}/responses"
    body = {"instrument": "gad7", "answers": gad7(1, 1, 1, 1, 1, 1, 1)}
    assert tara.post(path, body, **{"Idempotency-Key": "k-1"}).status_code == 201
    body["answers"] = gad7(3, 3, 3, 3, 3, 3, 3)
    refused = tara.post(path, body, **{"Idempotency-Key": "k-1"})
    assert locations(refused) == [["header", "Idempotency-Key"]]
    assert Response.objects.get().total == 7


def test_a_second_response_to_one_session_is_a_conflict(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    body = {
        "instrument": "gad7",
        "answers": gad7(1, 1, 1, 1, 1, 1, 1),
        "session_date": "2026-11-02",
    }
    first = record(tara, client_id, body)
    conflict = tara.post(f"/clients/{client_id}/responses", body)
    assert conflict.status_code == 409
    assert conflict.json()["id"] == first["id"]


def test_a_future_completion_time_is_refused(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    body = {
        "instrument": "gad7",
        "answers": gad7(0, 0, 0, 0, 0, 0, 0),
        "completed_at": "2999-01-01T10:00:00Z",
    }
    assert locations(tara.post(f"/clients/{client_id}/responses", body)) == [
        ["body", "payload", "completed_at"]
    ]


def test_a_therapists_token_sees_only_their_own_clients(personas: Personas) -> None:
    client_id = Caller(personas.therapist).new_client(personas.tara)
    theo = Caller(personas.colleague)
    assert theo.get(f"/clients/{client_id}/outcomes").status_code == 404
    body = {"instrument": "gad7", "answers": gad7(0, 0, 0, 0, 0, 0, 0)}
    assert theo.post(f"/clients/{client_id}/responses", body).status_code == 404
    assert Caller(personas.owner).get(f"/clients/{client_id}/outcomes").status_code == 200


def test_a_therapist_adds_clients_only_to_their_own_caseload(personas: Personas) -> None:
    refused = Caller(personas.colleague).post(
        "/clients", {"name": "Casey", "therapist_id": personas.tara.pk}
    )
    assert locations(refused) == [["body", "payload", "therapist_id"]]


def test_the_front_desk_adds_clients_but_reads_no_scores(personas: Personas) -> None:
    fran = Caller(personas.frontdesk)
    client_id = fran.new_client(personas.tara)
    assert fran.get(f"/clients/{client_id}/outcomes").status_code == 403
    body = {"instrument": "gad7", "answers": gad7(0, 0, 0, 0, 0, 0, 0)}
    assert fran.post(f"/clients/{client_id}/responses", body).status_code == 403


def test_every_staff_operation_needs_a_token(personas: Personas) -> None:
    for path in ("/instruments", f"/clients/{personas.tara.pk}/outcomes"):
        refused = HttpClient().get(f"{API}{path}")
        assert refused.status_code == 401
        assert refused["WWW-Authenticate"] == 'Bearer realm="api"'
    assert (
        HttpClient().post(f"{API}/clients", {}, content_type="application/json").status_code == 401
    )


def test_instruments_are_listed_with_items_options_and_bands(personas: Personas) -> None:
    listed = {row["code"]: row for row in Caller(personas.frontdesk).get("/instruments").json()}
    assert set(listed) == {"phq9", "gad7", "rses", "alliance_client", "alliance_therapist"}
    phq = listed["phq9"]
    assert (phq["min"], phq["max"]) == (0, 27)
    assert phq["respondent"] == "client"
    assert phq["bands"][0] == {"min": 0, "max": 4, "label": "Minimal"}
    assert phq["items"][8]["id"] == "phq9_9"
    assert phq["items"][8]["options"][1] == {"value": 1, "label": "Several days"}
    assert listed["rses"]["bands"] == []
    assert (listed["rses"]["min"], listed["rses"]["max"]) == (0, 30)
    assert listed["alliance_therapist"]["respondent"] == "therapist"
    assert "Pfizer" in phq["licence"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 30) | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@given(
    instrument=st.sampled_from(["phq9", "gad7", "rses", "alliance_client", "x"]),
    answers=st.dictionaries(
        st.sampled_from([f"phq9_{n}" for n in range(1, 11)] + ["gad7_1", "rses_2", "ac_heard", ""]),
        json_values,
        max_size=12,
    ),
    extra=st.dictionaries(
        st.sampled_from(["appointment_id", "session_date", "completed_at"]), json_values, max_size=2
    ),
)
@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_hostile_responses_are_saved_or_refused_never_a_server_error(
    personas: Personas, instrument: str, answers: dict[str, Any], extra: dict[str, Any]
) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    reply = tara.post(
        f"/clients/{client_id}/responses", {"instrument": instrument, "answers": answers} | extra
    )
    assert reply.status_code in (201, 409, 422), reply.content


def test_the_signals_say_which_rule_fired_at_which_session(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    for day, total, tension in (
        ("2026-10-01", 30, 0),
        ("2026-10-08", 30, 0),
        ("2026-10-15", 22, 2),
    ):
        answers = alliance_answers("ac", total, tension)
        record(
            tara,
            client_id,
            {"instrument": "alliance_client", "answers": answers, "session_date": day},
        )
    signals_recompute_client(client=CareClient.objects.get(uuid=client_id), now=timezone.now())
    found = tara.get(f"/clients/{client_id}/signals").json()
    ruptures = [signal for signal in found if signal["kind"] == "rupture"]
    assert {signal["rule"] for signal in ruptures} >= {"percent_drop", "client_report"}
    assert {signal["session_date"] for signal in ruptures} == {"2026-10-15"}
    drop = next(signal for signal in ruptures if signal["rule"] == "percent_drop")
    assert drop["parameters"]["rupture_percent_drop"] == 0.15
    assert drop["evidence"]["previous"] == 30
    assert "Strauss" in drop["source"]
    assert Caller(personas.colleague).get(f"/clients/{client_id}/signals").status_code == 404
    assert Caller(personas.frontdesk).get(f"/clients/{client_id}/signals").status_code == 403
