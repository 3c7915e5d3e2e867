"""A checkpoint checks what it adds, not the whole chain (issue 16: bench/scale.py saw
checkpoints grow to 7.3 s each after 200 acceptances); ``termskit verify`` still checks
everything, so a record changed before the last checkpoint is still reported."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from terms_kit.acceptance import evidence
from terms_kit.models import ChainCheckpoint, ConsentKind, ConsentRecord
from terms_kit.services.acceptance import _append_record
from terms_kit.services.checkpoints import ChainBroken, make_checkpoint

pytestmark = pytest.mark.django_db


def append(make_engagement, count=1):
    """``count`` intact records, as the acceptance service writes them: new-terms consents
    of one engagement (a kind that may repeat; the sealed packs around the records play no
    part in the chain's checks)."""
    engagement = make_engagement("S2")
    kind = ConsentKind.TERMS_RECONSENT
    for _ in range(count):
        now = timezone.now()
        payload = {"kind": kind.value, "engagement": {"id": engagement.pk},
                   "steps": {"signed_at": now.isoformat()}}
        with transaction.atomic():
            _append_record(engagement, kind, payload, now)


class Reads:
    """Counts what make_checkpoint reads: records checked, files opened, queries run (the
    real functions run; only counted)."""

    def __init__(self, monkeypatch):
        self.records = self.files = 0
        check_record, read_stored = evidence.check_record, evidence.read_stored

        def counted_record(record):
            self.records += 1
            return check_record(record)

        def counted_file(name):
            self.files += 1
            return read_stored(name)

        monkeypatch.setattr(evidence, "check_record", counted_record)
        monkeypatch.setattr(evidence, "read_stored", counted_file)

    def checkpoint(self):
        self.records = self.files = 0
        with CaptureQueriesContext(connection) as queries:
            outcome = make_checkpoint()
        assert outcome.created
        return {"records": self.records, "files": self.files, "queries": len(queries)}


def test_a_checkpoint_reads_the_same_after_5_and_after_50_records(
        make_engagement, sealed_settings, monkeypatch):
    reads = Reads(monkeypatch)
    append(make_engagement, 5)
    first = reads.checkpoint()
    assert first["records"] == 5 and first["files"] == 0  # the first one checks from the start
    append(make_engagement)
    after_5 = reads.checkpoint()
    append(make_engagement, 44)
    reads.checkpoint()
    append(make_engagement)
    after_50 = reads.checkpoint()
    # One new record and the previous checkpoint (its JSON and signature), whatever came before.
    assert after_5 == after_50
    assert (after_50["records"], after_50["files"]) == (1, 2)
    assert ConsentRecord.objects.count() == 51 and ChainCheckpoint.objects.count() == 4
    # The whole chain is still intact for termskit verify, which reads every record.
    reads.records = 0
    call_command("termskit", "verify", "--skip-files", stdout=io.StringIO())
    assert reads.records == 51


def test_a_record_changed_before_the_last_checkpoint_is_reported_by_verify(
        make_engagement, sealed_settings):
    append(make_engagement, 3)
    assert make_checkpoint().created
    # Someone edits record #2 in the database (without recomputing anything).
    table = ConsentRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET kind = %s WHERE sequence = 2",
                       [ConsentKind.WITHDRAWAL.value])
    append(make_engagement)
    # The next checkpoint checks only record #4 and the sealed checkpoint of #3: it does
    # not see the edit (what it anchors, #4 linked to #3's sealed head, is right)...
    assert make_checkpoint().created
    # ...termskit verify, which walks the whole chain, does.
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("termskit", "verify", "--skip-files", stderr=err, stdout=io.StringIO())
    assert "record #2 " in err.getvalue() and "kind 'withdrawal' differs" in err.getvalue()


def test_a_checkpoint_refuses_new_records_not_linked_to_the_previous_checkpoint(
        make_engagement, sealed_settings):
    append(make_engagement, 2)
    assert make_checkpoint().created
    append(make_engagement, 2)
    table = ConsentRecord._meta.db_table
    with connection.cursor() as cursor:  # record #3 no longer follows the anchored #2
        cursor.execute(f"UPDATE {table} SET previous_hash = %s WHERE sequence = 3",
                       ["e" * 64])
    with pytest.raises(ChainBroken) as refused:
        make_checkpoint()
    assert any("does not point to the previous record" in str(p)
               for p in refused.value.problems)
    assert ChainCheckpoint.objects.count() == 1


def test_a_checkpoint_refuses_when_the_previous_checkpoint_no_longer_matches(
        make_engagement, sealed_settings):
    append(make_engagement, 2)
    previous = make_checkpoint().checkpoint
    table = ConsentRecord._meta.db_table
    with connection.cursor() as cursor:  # the anchored head re-hashed
        cursor.execute(f"UPDATE {table} SET record_hash = %s WHERE sequence = 2", ["d" * 64])
    append(make_engagement)
    with pytest.raises(ChainBroken) as refused:
        make_checkpoint()
    assert any(p.what == "checkpoint" and p.ref == previous.document.name
               for p in refused.value.problems)


def test_a_checkpoint_run_twice_makes_one(make_engagement, sealed_settings):
    append(make_engagement, 2)
    first = make_checkpoint()
    again = make_checkpoint()
    assert first.created and not again.created
    assert again.checkpoint.pk == first.checkpoint.pk and ChainCheckpoint.objects.count() == 1
