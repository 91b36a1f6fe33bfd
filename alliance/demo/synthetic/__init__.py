"""A deterministic model of a practice's session history, for the demo and for validation.

Pure Python, no Django (the import contracts in pyproject.toml enforce it): ``model`` draws the
history, ``answers`` turns intended totals into item answers, ``patterns`` shapes the demo
therapist's guaranteed cases. docs/demo-model.md describes the model and its sources.
"""
