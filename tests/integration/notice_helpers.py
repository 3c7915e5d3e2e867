"""S2 and S5 left unpaid on fixed dates, so the interest can be worked by hand in the tests."""

import datetime
import io
from decimal import Decimal as D

from pypdf import PdfReader

from terms_kit.services import payments

JAN1 = datetime.date(2026, 1, 1)


def s2_unpaid(accepted, capture):
    """S2 accepted; deposit 4 320.00 paid 2026-01-01; milestones 1 and 2 invoiced 2026-01-01
    (480.00 = 4 800.00 - 4 320.00 deposit, and 7 200.00), both due 2026-01-31 (30 days);
    480.00 paid 2026-01-20 (settles the first), 3 000.00 paid 2026-02-20 on the 7 200.00."""
    engagement, _link = accepted("S2")
    with capture(execute=True):
        payments.record_payment(engagement, amount=D("4320.00"), paid_on=JAN1, method="transfer")
    first, second = list(engagement.milestones.order_by("pk"))[:2]
    with capture(execute=True):
        paid = payments.mark_milestone_done(engagement, first, on=JAN1)
    with capture(execute=True):
        unpaid = payments.mark_milestone_done(engagement, second, on=JAN1)
    with capture(execute=True):
        payments.record_payment(engagement, amount=D("480.00"),
                                paid_on=datetime.date(2026, 1, 20), method="transfer")
    with capture(execute=True):
        payments.record_payment(engagement, amount=D("3000.00"),
                                paid_on=datetime.date(2026, 2, 20), method="transfer")
    engagement.refresh_from_db()
    return engagement, paid, unpaid


def s5_unpaid(accepted, capture):
    """S5 (a consumer): deposit paid 2026-01-05, service completed 2026-02-15: the final
    invoice asks for the balance, due 15 days later (2026-03-02)."""
    engagement, _link = accepted("S5")
    deposit = engagement.instalments.order_by("position").first()
    with capture(execute=True):
        payments.record_payment(engagement, amount=deposit.amount,
                                paid_on=datetime.date(2026, 1, 5), method="transfer")
    with capture(execute=True):
        invoices = payments.mark_completed(engagement, on=datetime.date(2026, 2, 15))
    engagement.refresh_from_db()
    return engagement, invoices[0]


def file_text(field):
    with field.storage.open(field.name, "rb") as handle:
        data = handle.read()
    if field.name.endswith(".pdf"):
        reader = PdfReader(io.BytesIO(data))
        return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)
