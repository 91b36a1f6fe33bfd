"""The relationship engine's Django side: series in, signals and alerts out.

The engine (alliance.clinical.signals) is pure; this package reads a client's latest episode into
its session points (``series``), stores what it finds (``store``: SignalRecord, replaced whole
per client), and raises the alerts a therapist acts on (``alerts``). A response arriving
recomputes its client (``incremental``, from a task); the nightly `manage.py signals_recompute`
(``nightly``) recomputes everyone and refits the practice's norms (``norms``) when due.
"""
