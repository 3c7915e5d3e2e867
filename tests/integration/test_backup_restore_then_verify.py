"""Backups as docs/deployment.md says to take them: `pg_dump --format=custom` of the live
database, restored with `pg_restore` into another database, and `termskit verify` run on the
restored copy is clean (consent chain, sealed pack, issued documents and invoice files all
match); a restore whose bucket lacks a file is reported, never passed. Real PostgreSQL,
real pg_dump/pg_restore, the real verify command."""

import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from terms_kit.models import ConsentRecord, Invoice, IssuedDocument, SealedFile
from terms_kit.services import payments
from tests.conftest import requires_postgres

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgres]


def _pg_args(settings_dict):
    args = ["-h", settings_dict.get("HOST") or "127.0.0.1",
            "-p", str(settings_dict.get("PORT") or 5432),
            "-U", settings_dict.get("USER") or "postgres"]
    return args


def _psql(settings_dict, sql):
    subprocess.run(["psql", *_pg_args(settings_dict), "-d", "postgres", "-v",
                    "ON_ERROR_STOP=1", "-c", sql], check=True, capture_output=True)


def test_a_restored_backup_verifies_clean_and_a_missing_file_is_reported(
        text_pdfs, accepted, django_capture_on_commit_callbacks, tmp_path, capsys):
    engagement, _link = accepted("S2")  # accepted: consent record, sealed pack, documents
    with django_capture_on_commit_callbacks(execute=True):
        payments.record_payment(engagement, amount="4320.00", paid_on=timezone.localdate(),
                                method="transfer")
    counts = (ConsentRecord.objects.count(), SealedFile.objects.count(),
              IssuedDocument.objects.count(), Invoice.objects.count())
    assert counts[0] and counts[1] and counts[3] == 1
    call_command("termskit", "verify")

    live = dict(connection.settings_dict)
    dump = tmp_path / "backup.dump"
    subprocess.run(["pg_dump", "--format=custom", *_pg_args(live), "-f", str(dump),
                    live["NAME"]], check=True, capture_output=True)
    restored = f"{live['NAME']}_restored"
    _psql(live, f'DROP DATABASE IF EXISTS "{restored}"')
    _psql(live, f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(["pg_restore", "--no-owner", *_pg_args(live), "-d", restored,
                        str(dump)], check=True, capture_output=True)
        connection.close()
        connection.settings_dict["NAME"] = restored
        try:
            # The restored site has every record...
            assert (ConsentRecord.objects.count(), SealedFile.objects.count(),
                    IssuedDocument.objects.count(), Invoice.objects.count()) == counts
            capsys.readouterr()
            call_command("termskit", "verify")
            assert "intact" in capsys.readouterr().out
            # ...and when the bucket was restored without the invoice's PDF, verify says so.
            document = Invoice.objects.get().document
            document.pdf.storage.delete(document.pdf.name)
            with pytest.raises(CommandError, match="problem"):
                call_command("termskit", "verify")
            assert document.pdf.name.split("/")[-1] in capsys.readouterr().err
        finally:
            connection.close()
            connection.settings_dict["NAME"] = live["NAME"]
    finally:
        _psql(live, f'DROP DATABASE IF EXISTS "{restored}"')
