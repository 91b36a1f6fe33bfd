"""The demo practice: what `make run` shows, and the commands that load and serve it.

The top layer of the apps (docs/architecture.md): it may import every other app, and nothing
imports it.

- ``content``: the practice, its therapists, staff sign-ins and consultation requests.
- ``checkins``: Jamie, a client with a few weeks of check-ins and one waiting to be answered.
- ``history``: twelve months of the practice's check-ins, written from ``synthetic``.
- ``synthetic``: the statistical model of a practice's history (docs/demo-model.md); pure
  Python, no Django, reading item ids and keying from the instrument definitions.
- ``management/commands``: ``load_demo`` and ``serve`` (the launcher behind `make run`).
"""
