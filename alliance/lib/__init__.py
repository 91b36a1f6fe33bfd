"""Plain helpers with no Django import: environment parsing, placeholder portraits, durations.

Like the clinical and scheduling cores, everything here is pure Python so that it can be tested
directly; the import contracts in pyproject.toml keep it that way.
"""
