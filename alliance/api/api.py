"""/api/v1/: the OpenAPI document and the routers that make it up.

- directory (alliance.api.directory): the public directory, free times and booking;
- clinical (alliance.api.clinical): instruments, clients, responses, outcomes (staff token);
- fhir (alliance.api.fhir): the same records as FHIR R4 resources, with a staff token.
"""

import json
from typing import Any

from django.conf import settings
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from alliance.api import clinical, directory, fhir
from alliance.api.auth import install_auth_error_handler
from alliance.api.errors import install_error_handlers, json_bodies_only


class AllianceAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """Ninja's document, with what API tools' lint rules ask for and ninja leaves out."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        # Read per request: the address can differ by process (settings.SITE_URL follows PORT).
        schema["servers"] = [{"url": settings.SITE_URL}]
        schema["info"]["license"] = {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"}
        for methods in schema["paths"].values():
            for operation in methods.values():
                # Ninja writes `security` only for operations with auth: the rest are public.
                operation.setdefault("security", [])
        _drop_unused_schemas(schema)
        return schema


def _drop_unused_schemas(schema: OpenAPISchema) -> None:
    """Ninja also defines the model of a `Query[...]` argument, whose fields it lists as
    parameters instead: keep only the schemas the operations use, directly or through another."""
    schemas: dict[str, Any] = schema["components"]["schemas"]
    used: set[str] = set()
    pending = [schema["paths"]]
    while pending:
        text = json.dumps(pending.pop())
        for name in schemas.keys() - used:
            if f'"#/components/schemas/{name}"' in text:
                used.add(name)
                pending.append(schemas[name])
    for name in schemas.keys() - used:
        del schemas[name]


api = AllianceAPI(
    title="Alliance",
    version="1",
    description=(
        "The practice's directory, free times and booking, open to anyone; and, for staff with a "
        "token from `manage.py createapitoken` sent as `Authorization: Bearer <token>`, "
        "instruments, clients, their responses and outcomes, and FHIR R4 exports. "
        "Bodies are JSON sent as `Content-Type: application/json` (anything else: 415) of at "
        "most 5 MB (413). "
        "Times are ISO 8601 with a UTC offset between -14:00 and +14:00, in the years 1900 to "
        "2200; "
        "`timezone` names the practice's IANA zone, in which weekly hours and dates are given. "
        "Errors are JSON: `{detail: message}`, or for invalid input `{detail: [{loc, msg, type}]}`"
        ' where `loc` names the field, e.g. `["query", "type"]`.'
    ),
    urls_namespace="api",
)
install_error_handlers(api)
api.add_decorator(json_bodies_only, mode="view")
install_auth_error_handler(api)
api.add_router("", directory.router)
api.add_router("", clinical.router)
api.add_router("/fhir", fhir.router)
