"""Start-up stays light: heavy libraries load on first use, and still behave when they do."""

from __future__ import annotations

import json
import os
import subprocess
import sys

_PROBE = """
import json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "citystrat.config.settings.base"
import django
django.setup()
loaded = {name: name in sys.modules for name in ("openpyxl", "jsonschema")}
from openpyxl import Workbook
from openpyxl.cell import cell
book = Workbook()
book.active["A1"] = "a\\x01b"  # openpyxl alone raises IllegalCharacterError here
print(json.dumps({
    "loaded": loaded,
    "guard": getattr(cell.Cell.check_string, "citystrat_guard", False),
    "value": book.active["A1"].value,
}))
"""


def test_django_start_skips_openpyxl_and_jsonschema_and_the_guard_still_applies(tmp_path):
    env = {**os.environ, "CITYSTRAT_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["loaded"] == {"openpyxl": False, "jsonschema": False}
    assert seen["guard"] is True
    assert seen["value"] == "a\ufffdb"


def test_guard_installs_at_once_when_openpyxl_is_already_loaded():
    from openpyxl.cell import cell

    from citystrat.safecells import install_openpyxl_guard

    install_openpyxl_guard()
    assert getattr(cell.Cell.check_string, "citystrat_guard", False) is True
