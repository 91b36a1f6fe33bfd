"""A model that moves to another app keeps its content type row, and with it the admin's history
and the permissions that point at that row: the migrations that move a model run this."""

from collections.abc import Callable
from typing import Any

Operation = Callable[[Any, Any], None]


def content_type_move(model: str, *, old: str, new: str) -> tuple[Operation, Operation]:
    """RunPython's forwards and backwards for moving `model` from app `old` to app `new`. A
    database created after the move has no old row (content types are made after migrating)."""

    def move(apps: Any, source: str, target: str) -> None:
        content_types = apps.get_model("contenttypes", "ContentType").objects
        if not content_types.filter(app_label=target, model=model).exists():
            content_types.filter(app_label=source, model=model).update(app_label=target)

    return (
        lambda apps, schema_editor: move(apps, old, new),
        lambda apps, schema_editor: move(apps, new, old),
    )
