"""The sentences under "why" on an alert, from its stored evidence."""

from alliance.care.models import Alert, AlertKind
from alliance.care.why import alert_why


def gap_alert(run_mean_gap: float, practice_mean_gap: float) -> Alert:
    evidence = {
        "direction": "client_rates_higher" if run_mean_gap > 0 else "client_rates_lower",
        "run_start": 4,
        "sessions": 3,
        "gap": run_mean_gap,
        "run_mean_gap": run_mean_gap,
        "practice_mean_gap": practice_mean_gap,
        "practice_gap_sd": 4.4,
    }
    return Alert(kind=AlertKind.DISAGREEMENT, evidence={"persistent_gap": evidence})


def test_a_gap_is_said_in_points_higher_or_lower_never_with_a_minus_sign() -> None:
    assert alert_why(gap_alert(-11.3, 2.5)).reasons == [
        "For 3 sessions in a row the client rated the alliance 11.3 points lower than you on "
        "average; in this practice clients usually rate 2.5 points higher than their therapists "
        "(SD 4.4)."
    ]
    assert alert_why(gap_alert(9.0, -1.5)).reasons == [
        "For 3 sessions in a row the client rated the alliance 9 points higher than you on "
        "average; in this practice clients usually rate 1.5 points lower than their therapists "
        "(SD 4.4)."
    ]
