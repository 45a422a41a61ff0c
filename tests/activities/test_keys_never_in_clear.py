"""No participant key appears in clear in the database, an export, the API, a page or a backup."""

from __future__ import annotations

import io
import json
import zipfile

from django.core.management import call_command
from django.db import connection
from django.test import Client

from citystrat.activities.identifiers import hash_key
from citystrat.activities.models import ActivityRecord

from .conftest import DATA

KEYS = ["P-001", "P-002", "P-003", "P-004", "P-005", "P-006", "Y-01", "Y-02", "Y-03", "Y-04"]


def assert_no_key(text: str, where: str) -> None:
    found = [k for k in KEYS if k in text]
    assert not found, f"{where} shows {found}"


def imported(ledger) -> None:
    call_command("activities", "import", str(DATA / "ledger.csv"), "--approve", "--user", "cora")
    # Sanity: the keys are there, as hashes, so the tests below can fail.
    assert ActivityRecord.objects.filter(participant_hashes__contains=hash_key("P-001")).exists()


def test_not_in_the_database(ledger):
    imported(ledger)
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            assert_no_key(repr(cursor.fetchall()), f"table {table}")


def test_not_in_an_export(ledger, tmp_path):
    imported(ledger)
    for fmt in ("csv", "json", "xlsx"):
        for user in ([], ["--user", "cora"]):
            target = tmp_path / f"ledger.{fmt}"
            call_command("activities", "export", "--format", fmt, "-o", str(target), *user)
            data = target.read_bytes()
            if fmt == "xlsx":
                with zipfile.ZipFile(io.BytesIO(data)) as z:
                    data = b"".join(z.read(n) for n in z.namelist())
            text = data.decode("utf-8")
            assert "Consultation day (June)" in text
            assert_no_key(text, f"{fmt} export {user}")
    staff = json.loads((tmp_path / "ledger.json").read_bytes())
    june = next(r for r in staff["records"] if r["title"] == "Consultation day (June)")
    assert june["participant_key_count"] == 3
    assert hash_key("P-001") in june["participant_key_hashes"]


def test_not_in_the_api(ledger):
    imported(ledger)
    client = Client()
    for who in (None, ledger.coordinator):
        if who is not None:
            client.force_login(who)
        listing = client.get("/api/v1/activities/?limit=1000")
        assert listing.status_code == 200
        body = listing.content.decode()
        assert "Consultation day (June)" in body and '"participant_keys":3' in body.replace(" ", "")
        assert_no_key(body, "API list")
        assert hash_key("P-001") not in body
        first = json.loads(body)["results"][0]["id"]
        assert_no_key(client.get(f"/api/v1/activities/{first}/").content.decode(), "API detail")


def test_not_on_a_page(ledger):
    imported(ledger)
    client = Client()
    pages = ["/en/partners/", "/en/partners/guilin/", "/ja/partners/guilin/"]
    for url in pages:
        assert_no_key(client.get(url).content.decode(), url)
    client.force_login(ledger.coordinator)
    from citystrat.observations.models import Observation

    obs = Observation.objects.get(indicator__code="M4-2", period_start__year=2025)
    for url in ["/en/staff/activities/", f"/en/staff/observations/{obs.pk}/"]:
        page = client.get(url)
        assert page.status_code == 200
        assert_no_key(page.content.decode(), url)


def test_not_in_a_backup(ledger, tmp_path):
    imported(ledger)
    target = tmp_path / "backup.zip"
    call_command("backup", str(target))
    with zipfile.ZipFile(target) as z:
        names = z.namelist()
        blob = b"".join(z.read(n) for n in names)
    assert b"Consultation day (June)" in blob  # the ledger is in the backup
    for key in KEYS:
        assert key.encode() not in blob, key
    assert not any("activity_key_secret" in n for n in names)  # nor the secret


def test_a_restored_backup_gives_the_same_values(ledger, tmp_path, capsys):
    from .test_import_compute import EXPECTED, compute

    imported(ledger)
    target = tmp_path / "backup.zip"
    call_command("backup", str(target))
    ActivityRecord.objects.all().delete()
    assert compute(capsys) == []
    call_command("restore", str(target), "--replace")
    assert compute(capsys) == EXPECTED
