"""The public JSON API under /api/v1/: the directory, availability, free times and booking.

Thin typed views over the same services the pages use (alliance.booking); the OpenAPI document is
generated from the schemas here and served at /api/v1/openapi.json.
"""
