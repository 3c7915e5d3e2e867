"""The recourse file at J+45: its pieces, the procedure by amount and debtor, prescription.

S2 at J+45 (2026-03-17), F-0003: 7 200.00 due 2026-01-31, 3 000.00 paid 2026-02-20, 12.15 %:
  7 200 × 12.15 % × 20 / 365 = 47.9342…; 4 200 × 12.15 % × 25 / 365 = 34.9521…
  82.8863 → 82.89 (the scenarios' partial-payment oracle), + 40.00; claim 4 322.89 ≤ 5 000
  → small-claims procedure. Prescription (5 years) from the invoice date 2026-01-01 →
  2031-01-01: not near.
"""

import datetime
import io
import json
import zipfile
from decimal import Decimal as D

import pytest

from terms_kit.documents.hashing import sha256
from terms_kit.dunning.notices import issue_formal_notice
from terms_kit.dunning.recourse import (
    RecourseError,
    build_recourse_file,
    choose_procedure,
    prescription,
)
from terms_kit.models import Procedure, RecourseFile
from tests.integration.notice_helpers import s2_unpaid, s5_unpaid

pytestmark = pytest.mark.django_db
MAR2, MAR17 = datetime.date(2026, 3, 2), datetime.date(2026, 3, 17)


def _zip(record):
    with record.zip_file.storage.open(record.zip_file.name, "rb") as handle:
        data = handle.read()
    return data, zipfile.ZipFile(io.BytesIO(data))


def test_s2_recourse_file_at_j45(accepted, django_capture_on_commit_callbacks, text_pdfs):
    engagement, _paid, unpaid = s2_unpaid(accepted, django_capture_on_commit_callbacks)
    notice = issue_formal_notice(engagement, invoices=[unpaid], on=MAR2)
    record = build_recourse_file(engagement, on=MAR17)
    assert record.claim_total == D("4200.00") + D("82.89") + D("40.00")
    assert record.procedure == Procedure.SMALL_CLAIMS and record.notice == notice
    assert record.prescription_date == datetime.date(2031, 1, 1)
    assert not any("2031-01-01" in w for w in record.warnings)
    data, archive = _zip(record)
    assert sha256(data) == record.zip_sha256
    names = archive.namelist()
    assert f"03_invoice_{unpaid.number}.pdf" in names
    assert f"04_formal_notice_{notice.number}.pdf" in names
    assert f"01_quote_{engagement.number}.pdf" in names
    assert any(name.startswith("02_sealed_acceptance_") for name in names)
    assert {"00_summary.pdf", "00_summary.docx", "05_proof_of_sending.json",
            "06_interest_statement.json", "manifest.json"} <= set(names)
    manifest = json.loads(archive.read("manifest.json"))
    for name, entry in manifest["files"].items():
        assert sha256(archive.read(name)) == entry["sha256"]
    statement = json.loads(archive.read("06_interest_statement.json"))
    assert statement["totals"] == {"unpaid": "4200.00", "interest": "82.89",
                                   "indemnity": "40.00", "total": "4322.89"}
    summary = archive.read("00_summary.docx")
    from docx import Document

    doc = Document(io.BytesIO(summary))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "commissaire de justice" in text and "4\u202f322,89" in text
    assert notice.number in text
    # once a day: the same record again
    assert build_recourse_file(engagement, on=MAR17).pk == record.pk


def test_nothing_unpaid_is_refused(accepted, django_capture_on_commit_callbacks, text_pdfs):
    engagement, _paid, _unpaid = s2_unpaid(accepted, django_capture_on_commit_callbacks)
    with pytest.raises(RecourseError, match="Nothing is left to pay"):
        build_recourse_file(engagement, on=datetime.date(2026, 1, 31))
    assert RecourseFile.objects.count() == 0


@pytest.mark.parametrize("debtor, total, expected", [
    ("business", "5000.00", Procedure.SMALL_CLAIMS),
    ("business", "5000.01", Procedure.INJONCTION_TC),
    ("consumer", "5000.01", Procedure.INJONCTION_TJ),
    ("consumer", "120.00", Procedure.SMALL_CLAIMS),
])
def test_procedure_by_claim_and_debtor(debtor, total, expected):
    assert choose_procedure(debtor, D(total), MAR17) == expected


@pytest.fixture
def later_figures(tmp_path, settings):
    """Test-only legal rates for the half-years after 2026H1 (not real figures)."""
    extra = tmp_path / "figures.yaml"
    rows = [("2026-07-01", "2026-12-31"), ("2027-01-01", "2027-06-30"),
            ("2027-07-01", "2027-12-31"), ("2028-01-01", "2028-06-30")]
    extra.write_text("legal_interest_rate_other:\n  periods:\n" + "".join(
        f'    - {{from: {a}, to: {b}, value: "3.00", source: "test"}}\n' for a, b in rows),
        encoding="utf-8")
    settings.TERMS_KIT = {**settings.TERMS_KIT, "COMPLIANCE_EXTRA_FIGURES": str(extra)}


def test_consumer_prescription_two_years_from_the_earliest_date_warns_when_near(
        accepted, django_capture_on_commit_callbacks, text_pdfs):
    engagement, invoice = s5_unpaid(accepted, django_capture_on_commit_callbacks)
    starts = [invoice.issue_date, invoice.due_date] + (
        [engagement.end_date] if engagement.end_date else [])
    earliest = min(starts)
    years, barred = prescription(engagement, [invoice], "consumer")
    assert (years, barred) == (2, earliest.replace(year=earliest.year + 2))
    issue_formal_notice(engagement, invoices=[invoice], on=datetime.date(2026, 3, 10))
    # past 2026H1 the interest needs the unconfirmed 2026H2 rate: the file refuses to guess
    with pytest.raises(RecourseError, match="2026H2"):
        build_recourse_file(engagement, on=datetime.date(2026, 7, 2))
    assert RecourseFile.objects.count() == 0


def test_prescription_near_and_consumer_warnings(
        accepted, django_capture_on_commit_callbacks, text_pdfs, later_figures):
    engagement, invoice = s5_unpaid(accepted, django_capture_on_commit_callbacks)
    _years, barred = prescription(engagement, [invoice], "consumer")
    issue_formal_notice(engagement, invoices=[invoice], on=datetime.date(2026, 3, 10))
    record = build_recourse_file(engagement, on=barred - datetime.timedelta(days=30))
    assert record.procedure == Procedure.SMALL_CLAIMS
    text = " ".join(record.warnings)
    assert barred.isoformat() in text  # the near-prescription warning names the date
    assert "L111-8" in text
    assert record.claim_total > D("900.00")  # interest at the legal rate, and no 40 EUR
    _data, archive = _zip(record)
    statement = json.loads(archive.read("06_interest_statement.json"))
    assert statement["totals"]["indemnity"] == "0.00"
