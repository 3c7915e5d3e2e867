"""The recourse file (J+45): a zip with every piece a court or a commissaire de justice asks for.

Contents: the quote, the sealed acceptance pack, the unpaid invoices, the formal notices, the
proof of sending of every message about the engagement (the mail adapter's records), the
interest statement (JSON and text) and a summary (DOCX and PDF/A, issued through the
documents pipeline) naming the procedure:

- claim incl. interest ≤ 5 000 EUR (``small_claims_max_eur``): the small-claims recovery
  procedure through a commissaire de justice of the debtor's area (CPCE L125-1, R125-1), the
  order for payment remaining open;
- otherwise an order for payment (injonction de payer, CPC 1405-1425): tribunal de commerce,
  Cerfa 12946*02, for a business debtor; tribunal judiciaire, Cerfa 12948*06, for a civil
  debtor (a consumer).

Prescription: 2 years against a consumer (C. conso L218-2), 5 otherwise (C. com. L110-4),
counted from the earliest of the completion, invoice and due dates (case law differs, so the
earliest); a formal notice does not interrupt it. A warning is written when it falls within
``PRESCRIPTION_WARNING_DAYS`` or has passed.

The zip is deterministic (sorted names, fixed timestamps), stored in private storage under
its SHA-256 and recorded (``RecourseFile``, insert-only); one file per engagement and day.
"""

import io
import json
import zipfile

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from ..compliance import params
from ..documents.hashing import sha256
from ..models import (
    Engagement,
    FormalNotice,
    IssuedDocument,
    Procedure,
    RecourseFile,
)
from ..services.documents import issue_document
from ..services.invoicing import document_language
from ..services.mail import messages_for
from ..storage import private_storage
from . import claims, interest
from .receivables import dunnable_invoices, outstanding

PRESCRIPTION_WARNING_DAYS = 180
STORAGE_PREFIX = "terms_kit/recourse"
ZIP_TIME = (2026, 1, 1, 0, 0, 0)

CERFA = {Procedure.INJONCTION_TC: "12946*02", Procedure.INJONCTION_TJ: "12948*06"}


class RecourseError(ValueError):
    """No recourse file can be built as asked; the message says why."""


def _add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def prescription(engagement, invoices, debtor):
    """(years, date the earliest claim is time-barred)."""
    name = ("prescription_consumer_years" if debtor == interest.CONSUMER
            else "prescription_other_years")
    starts = []
    for invoice in invoices:
        starts += [invoice.issue_date, invoice.due_date]
    if engagement.end_date:
        starts.append(engagement.end_date)
    start = min(day for day in starts if day)
    years = int(params.value(name, start))
    return years, _add_years(start, years)


def choose_procedure(debtor, claim_total, on):
    if claim_total <= params.value("small_claims_max_eur", on):
        return Procedure.SMALL_CLAIMS
    return Procedure.INJONCTION_TJ if debtor == interest.CONSUMER else Procedure.INJONCTION_TC


def _court(procedure, debtor, city):
    place = city or _("the debtor's town")
    if procedure == Procedure.SMALL_CLAIMS:
        fallback = (_("tribunal judiciaire, Cerfa 12948*06") if debtor == interest.CONSUMER
                    else _("tribunal de commerce, Cerfa 12946*02"))
        return _("A commissaire de justice of the area of the debtor's home or seat (%(place)s), "
                 "who invites the debtor to agree within one month; if the debtor refuses or "
                 "does not answer: an order for payment (%(fallback)s).") % {
                     "place": place, "fallback": fallback}
    if procedure == Procedure.INJONCTION_TC:
        return _("The tribunal de commerce of the debtor's seat (%(place)s); the application "
                 "can be filed online.") % {"place": place}
    return _("The tribunal judiciaire of the debtor's home (%(place)s).") % {"place": place}


def _sent_messages(engagement):
    return [{
        "sent_at": message.sent_at.isoformat(), "kind": message.kind,
        "recipients": message.recipients, "subject": message.subject,
        "body_sha256": message.body_sha256, "attachments": message.attachments,
        "message_id": message.message_id, "backend_message_id": message.backend_message_id,
        "outcome": message.outcome,
    } for message in messages_for(engagement).order_by("sent_at", "pk")]


def _read(field):
    with field.storage.open(field.name, "rb") as handle:
        return handle.read()


def _zip(files):
    """Deterministic zip of {name: bytes}: same contents, same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def _statement_text(statements, totals):
    lines = []
    for s in statements:
        data = s.as_json()
        lines.append(f"{data['invoice']} · {data['debtor']} · amount {data['amount']} · due "
                     f"{data['due_date']} · on {data['on']} · unpaid {data['unpaid']}")
        for line in data["lines"]:
            lines.append(f"  {line['from']} → {line['to']}  base {line['base']}  rate "
                         f"{line['rate']} %  {line['days']} days  {line['amount_unrounded']}")
        lines.append(f"  interest {data['interest']} · indemnity {data['indemnity']}")
    lines.append(f"Total: unpaid {totals['unpaid']} + interest {totals['interest']} + "
                 f"indemnities {totals['indemnity']} = {totals['total']}")
    lines.append(f"Rounding: {interest.ROUNDING_RULE} (lines exact, each invoice's interest "
                 "rounded once, half up, to the cent).")
    return "\n".join(lines) + "\n"


def unpaid_invoices(engagement, on):
    found = []
    for invoice in dunnable_invoices().filter(engagement=engagement).order_by("due_date", "pk"):
        if invoice.due_date < on and outstanding(invoice, on) > 0:
            found.append(invoice)
    return found


def build_recourse_file(engagement, *, on, user=None, converter=None):
    """The recourse file of ``engagement`` on ``on`` (the same one when built that day)."""
    with transaction.atomic():
        engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
        existing = RecourseFile.objects.filter(engagement=engagement, prepared_on=on).first()
        if existing is not None:
            return existing
        invoices = unpaid_invoices(engagement, on)
        if not invoices:
            raise RecourseError(_("Nothing is left to pay past its due date on %(on)s: there "
                                  "is no claim to take further.") % {"on": on.isoformat()})
        try:
            statements = [claims.statement(invoice, on) for invoice in invoices]
        except interest.InterestError as exc:
            raise RecourseError(str(exc)) from exc
        return _build(engagement, on, user, converter, invoices, statements)


def _build(engagement, on, user, converter, invoices, statements):
    debtor = claims.debtor_of(engagement)
    totals = interest.total_claim(statements)
    procedure = choose_procedure(debtor, totals["total"], on)
    years, barred_on = prescription(engagement, invoices, debtor)
    notices = list(FormalNotice.objects.filter(engagement=engagement, issue_date__lte=on)
                   .select_related("document").order_by("issue_date", "pk"))
    lang = document_language(engagement)
    warnings = []
    with override(lang):
        if barred_on <= on:
            warnings.append(_("The claim may be time-barred since %(date)s (%(years)s years): "
                              "take advice before any procedure.") % {
                                  "date": barred_on.isoformat(), "years": years})
        elif (barred_on - on).days <= PRESCRIPTION_WARNING_DAYS:
            warnings.append(_("Prescription is near: the claim is time-barred on %(date)s "
                              "(%(years)s years). A formal notice does not interrupt it; "
                              "file the application before that date.") % {
                                  "date": barred_on.isoformat(), "years": years})
        if not notices:
            warnings.append(_("No formal notice was issued: send one first (C. civ. 1344)."))
        if debtor == interest.CONSUMER:
            warnings.append(_("The debtor is a consumer: no recovery fees nor 40 EUR "
                              "indemnity may be charged (CPCE L111-8)."))
        procedure_label = str(Procedure(procedure).label)
        court = _court(procedure, debtor, engagement.client.city)
    files = {}

    def add(name, data, what):
        files[name] = data
        pieces.append({"name": name, "what": what, "sha256": sha256(data)})

    pieces = []
    quote = (IssuedDocument.objects.filter(engagement=engagement, kind="quote")
             .order_by("-pk").first())
    if quote is not None:
        add(f"01_quote_{engagement.number}.pdf", _read(quote.pdf), "quote (devis)")
    for index, sealed in enumerate(engagement.sealed_files.order_by("pk"), start=1):
        add(f"02_sealed_acceptance_{index}.pdf", _read(sealed.pdf), "sealed acceptance pack")
    for invoice in invoices:
        document = invoice.document
        if document is not None:
            add(f"03_invoice_{invoice.number}.pdf", _read(document.pdf), "invoice")
    for notice in notices:
        add(f"04_formal_notice_{notice.number}.pdf", _read(notice.document.pdf),
            "formal notice (mise en demeure)")
    proofs = json.dumps(_sent_messages(engagement), indent=2, ensure_ascii=False,
                        sort_keys=True).encode("utf-8")
    add("05_proof_of_sending.json", proofs, "messages sent, with attachments' SHA-256")
    statement_json = json.dumps(
        {"on": on.isoformat(), "statements": [s.as_json() for s in statements],
         "totals": {key: str(value) for key, value in totals.items()},
         "rounding": interest.ROUNDING_RULE},
        indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8")
    add("06_interest_statement.json", statement_json, "interest statement")
    add("06_interest_statement.txt", _statement_text(statements, totals).encode("utf-8"),
        "interest statement (text)")

    last = notices[-1] if notices else None
    recourse = {
        "date": on.isoformat(), "procedure": procedure, "procedure_label": procedure_label,
        "court": court, "cerfa": CERFA.get(procedure, ""), "claim_total": str(totals["total"]),
        "prescription_date": barred_on.isoformat(), "prescription_years": years,
        "notice_number": last.number if last else "",
        "notice_date": last.issue_date.isoformat() if last else "", "debtor_kind": debtor,
        "warnings": warnings, "pieces": list(pieces),
    }
    invoice_rows = [{
        "number": s.number, "date": i.issue_date.isoformat(), "due_date": s.due_date.isoformat(),
        "amount": str(s.amount), "paid": str(s.amount - s.unpaid), "unpaid": str(s.unpaid),
        "days_late": s.days_late, "interest": str(s.interest), "indemnity": str(s.indemnity),
    } for i, s in zip(invoices, statements, strict=True)]
    summary = issue_document(engagement, "recourse_summary", lang,
                             extras={"recourse": recourse, "notice": {"invoices": invoice_rows}},
                             converter=converter)
    files["00_summary.pdf"] = _read(summary.pdf)
    files["00_summary.docx"] = _read(summary.docx)
    manifest = {
        "engagement": engagement.number, "prepared_on": on.isoformat(),
        "procedure": procedure, "claim_total": str(totals["total"]),
        "files": {name: {"sha256": sha256(data), "size": len(data)}
                  for name, data in sorted(files.items())},
    }
    files["manifest.json"] = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
    archive = _zip(files)
    digest = sha256(archive)
    name = f"{STORAGE_PREFIX}/{digest[:2]}/{digest}.zip"
    if not private_storage.exists(name):
        name = private_storage.save(name, ContentFile(archive))
    return RecourseFile.objects.create(
        owner=engagement.owner, engagement=engagement, prepared_on=on, procedure=procedure,
        claim_total=totals["total"], prescription_date=barred_on, warnings=warnings,
        manifest={**manifest, "summary_document": summary.pk, "recourse": recourse},
        zip_file=name, zip_sha256=digest, notice=last, prepared_by=user,
    )

