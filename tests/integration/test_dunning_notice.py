"""The formal notice (mise en demeure): figures to the cent, wording, idempotence, bad input.

S2 (tests/integration/notice_helpers.py): F-0003 asks 7 200.00, due 2026-01-31, 3 000.00 paid
2026-02-20, at the contract's 12.15 %. On J+30 (2026-03-02):
  7 200 × 12.15 % × 20 / 365 = 47.9342…  (1 Feb → 20 Feb)
  4 200 × 12.15 % × 10 / 365 = 13.9808…  (21 Feb → 2 Mar)
  61.9151 → 61.92, + 40.00 indemnity; total 4 200.00 + 61.92 + 40.00 = 4 301.92 (≤ 5 000).
S5 (consumer): the final invoice asks 900.00, due 2026-03-02. Notice on 2026-03-10: no
interest yet (it runs from the notice), no 40 EUR. On 2026-04-09 (30 days later), at the
legal rate "other cases" 2.62 %: 900 × 2.62 % × 30 / 365 = 1.9381… → 1.94.
"""

import datetime
from decimal import Decimal as D

import pytest

from terms_kit.dunning import claims
from terms_kit.dunning.notices import NoticeError, issue_formal_notice
from terms_kit.models import FormalNotice, IssuedDocument, NumberSequence
from tests.integration.notice_helpers import file_text, s2_unpaid, s5_unpaid

pytestmark = pytest.mark.django_db
MAR2 = datetime.date(2026, 3, 2)


@pytest.fixture
def s2(accepted, django_capture_on_commit_callbacks, text_pdfs):
    return s2_unpaid(accepted, django_capture_on_commit_callbacks)


def test_s2_notice_at_j30_claims_interest_and_40_eur(s2):
    engagement, _paid, unpaid = s2
    notice = issue_formal_notice(engagement, invoices=[unpaid], on=MAR2)
    assert notice.number == "MED-2026-0001"
    assert (notice.principal, notice.interest, notice.indemnity, notice.total) == (
        D("4200.00"), D("61.92"), D("40.00"), D("4301.92"))
    assert notice.deadline_date == datetime.date(2026, 3, 10)
    lines = notice.snapshot["lines"]
    assert [(x["start"], x["end"], x["base"], x["days"]) for x in lines] == [
        ("2026-02-01", "2026-02-20", "7200.00", 20), ("2026-02-21", "2026-03-02", "4200.00", 10)]
    text = file_text(notice.document.docx)
    # The invoices table shows short dates (31/01/2026: the due date fits its column).
    for expected in ("Mise en demeure", "MED-2026-0001", unpaid.number, "31/01/2026",
                     "7 200,00", "3 000,00", "4 200,00", "61,92", "40,00", "4 301,92",
                     "8 jours", "10 mars 2026", "injonction de payer", "petites créances",
                     "Acme Industrie SAS", engagement.identity.legal_name, "12,15"):
        assert expected.replace(" ", "\u202f") in text or expected in text, expected
    pdf = file_text(notice.document.pdf)
    assert "Mise en demeure" in pdf and "4 301,92" in pdf
    # Recorded like any issued document: hashed, and the snapshot hash matches.
    assert notice.document.kind == "formal_notice" and len(notice.document.pdf_sha256) == 64


def test_same_engagement_invoices_and_day_give_the_same_notice(s2):
    engagement, _paid, unpaid = s2
    first = issue_formal_notice(engagement, invoices=[unpaid], on=MAR2)
    again = issue_formal_notice(engagement, invoices=[unpaid], on=MAR2, deadline_days=8)
    assert again.pk == first.pk and FormalNotice.objects.count() == 1
    later = issue_formal_notice(engagement, invoices=[unpaid], on=MAR2 + datetime.timedelta(1),
                                deadline_days=15)
    assert later.number == "MED-2026-0002" and later.deadline_days == 15
    # one more day at 4 200 × 12.15 % / 365 = 1.3980…: 61.9151 + 1.3981 = 63.3132 → 63.31
    assert later.interest == D("63.31")


@pytest.mark.parametrize("days", [7, 16, 0])
def test_deadline_outside_8_to_15_days_is_refused_and_nothing_stored(s2, days):
    engagement, _paid, unpaid = s2
    documents = IssuedDocument.objects.count()
    with pytest.raises(NoticeError, match="8 to 15 days"):
        issue_formal_notice(engagement, invoices=[unpaid], on=MAR2, deadline_days=days)
    assert FormalNotice.objects.count() == 0 and IssuedDocument.objects.count() == documents


def test_notice_for_a_paid_invoice_is_refused_and_takes_no_number(s2):
    engagement, paid, unpaid = s2
    with pytest.raises(NoticeError, match=f"{paid.number} is paid"):
        issue_formal_notice(engagement, invoices=[paid, unpaid], on=MAR2)
    assert FormalNotice.objects.count() == 0
    assert not NumberSequence.objects.filter(series="formal_notice").exists()


def test_notice_before_the_due_date_is_refused(s2):
    engagement, _paid, unpaid = s2
    with pytest.raises(NoticeError, match="not late yet"):
        issue_formal_notice(engagement, invoices=[unpaid], on=datetime.date(2026, 1, 31))


def test_missing_half_year_figure_stops_the_notice(s2):
    engagement, _paid, unpaid = s2
    with pytest.raises(NoticeError,
                       match="Legal interest rate, creditor other than a consumer.*2026H2"):
        issue_formal_notice(engagement, invoices=[unpaid], on=datetime.date(2026, 7, 15))
    assert FormalNotice.objects.count() == 0


def test_consumer_notice_no_fees_and_legal_interest_only_after_it(
        accepted, django_capture_on_commit_callbacks, text_pdfs):
    engagement, invoice = s5_unpaid(accepted, django_capture_on_commit_callbacks)
    notice = issue_formal_notice(engagement, invoices=[invoice], on=datetime.date(2026, 3, 10))
    assert (notice.debtor, notice.interest, notice.indemnity, notice.total) == (
        "consumer", D("0.00"), D("0.00"), D("900.00"))
    text = file_text(notice.document.docx)
    assert "2,62" in text and "à compter de la présente mise en demeure" in text
    assert "40,00" not in text and "recouvrement (art." not in text
    # 30 days after the notice: 900 × 2.62 % × 30 / 365 = 1.9381… → 1.94; still no 40 EUR
    later = claims.statement(invoice, datetime.date(2026, 4, 9))
    assert later.runs_from == datetime.date(2026, 3, 10)
    assert (later.interest, later.indemnity) == (D("1.94"), D("0.00"))
    second = issue_formal_notice(engagement, invoices=[invoice], on=datetime.date(2026, 4, 9))
    assert (second.interest, second.indemnity, second.total) == (D("1.94"), D("0.00"),
                                                                 D("901.94"))


def _cli(*args):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("termskit", "interest", *args, stdout=out)
    return out.getvalue()


def test_interest_command_prints_the_lines_and_stable_json(s2):
    import json

    from django.core.management.base import CommandError

    _engagement, _paid, unpaid = s2
    text = _cli(unpaid.number, "--on", "2026-03-02")
    assert "2026-02-01 2026-02-20      7200.00   12.15    20      47.9342" in text
    assert "2026-02-21 2026-03-02      4200.00   12.15    10      13.9808" in text
    assert "Interest 61.92" in text and "Indemnity 40.00" in text
    data = json.loads(_cli(str(unpaid.pk), "--on", "2026-03-02", "--format", "json"))
    assert (data["interest"], data["indemnity"], data["total"]) == ("61.92", "40.00", "4301.92")
    assert data["rounding"] == "interest.total_once_half_up"
    assert _cli(str(unpaid.pk), "--on", "2026-03-02", "--format", "json").rstrip() == json.dumps(
        data, indent=2, ensure_ascii=False, sort_keys=True)
    # a typed rate under the 7.86 % floor of 2026H1 is refused
    with pytest.raises(CommandError, match="under the legal floor of 7.86"):
        _cli(unpaid.number, "--on", "2026-03-02", "--rate", "5")
    # 2026H2's legal rate is not confirmed: the 12.15 % contract rate needs it for the floor
    with pytest.raises(CommandError, match="creditor other than a consumer.*for 2026H2"):
        _cli(unpaid.number, "--on", "2026-07-02")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        _cli(unpaid.number, "--on", "02/03/2026")


def test_s2_notice_as_pdfa_through_libreoffice_fr_and_en(s2):
    """The real converter: PDF/A-2b, fonts embedded, the figures in both languages.
    With TERMS_KIT_DOC_IMAGES=1 the first French page is written to docs/images (pdftoppm)."""
    import os
    import subprocess
    import tempfile
    from pathlib import Path

    from documents_helpers import flat, fonts_without_embedding, pdf_text, pdfa_identification

    from terms_kit.documents import generation
    from terms_kit.documents.converters.pool import LibreOfficePool
    from terms_kit.spec import export_engagement

    engagement, _paid, unpaid = s2
    notice = issue_formal_notice(engagement, invoices=[unpaid], on=MAR2)
    spec = export_engagement(engagement)
    pool = LibreOfficePool(size=1, fallback=False)
    try:
        fr = pool.convert(generation.render(spec, "formal_notice", "fr",
                                            {"notice": notice.snapshot}).docx)
        en = pool.convert(generation.render(spec, "formal_notice", "en",
                                            {"notice": notice.snapshot}).docx)
    finally:
        pool.close()
    assert pdfa_identification(fr) == ("2", "B") and fonts_without_embedding(fr) == []
    text = flat(pdf_text(fr))
    for figure in ("Mise en demeure", "MED-2026-0001", "61,92 €", "40,00 €", "4 301,92 €",
                   "10 mars 2026", "injonction de payer"):
        assert figure in text, figure
    english = flat(pdf_text(en))
    for figure in ("Formal notice (mise en demeure)", "€61.92", "€4,301.92", "10 March 2026"):
        assert figure in english, figure
    if os.environ.get("TERMS_KIT_DOC_IMAGES"):
        out = Path(__file__).resolve().parents[2] / "docs" / "images" / "formal-notice-s2.png"
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "notice.pdf"
            source.write_bytes(fr)
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1",
                            "-singlefile", str(source), str(out.with_suffix(""))], check=True)
