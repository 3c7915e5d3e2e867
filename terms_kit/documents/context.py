"""The template context of a document, built from the engagement's spec dict only.

Building from the spec (``terms_kit.spec.export_engagement``) and never from the ORM means a
stored canonical JSON snapshot regenerates the same text. Amounts stay Decimal here; the
templates format them with the babel filters of formatting.py.
"""

from decimal import Decimal
from types import SimpleNamespace

from .. import money
from .. import vat as vat_rules
from . import rules

KINDS = ("quote", "terms", "certificate", "deposit_invoice", "final_invoice",
         "milestone_invoice", "credit_note", "receipt", "formal_notice", "recourse_summary",
         "instalment_plan")
# Kinds that are invoices: an issued one always has its number (services/invoicing.py).
INVOICE_KINDS = ("deposit_invoice", "final_invoice", "milestone_invoice", "credit_note", "receipt")


def _dec(value):
    return None if value in (None, "") else Decimal(str(value))


def _address_lines(address):
    address = address or {}
    city = " ".join(p for p in (address.get("postcode", ""), address.get("city", "")) if p)
    return [line for line in (address.get("line1"), address.get("line2"), city) if line]


def _seller(identity):
    insurance = identity.get("insurance") or {}
    mediator = identity.get("mediator") or {}
    return {
        "name": identity["legal_name"],
        "trade_name": identity.get("trade_name", ""),
        "legal_form": identity["legal_form"],
        "siren": identity.get("siren", ""),
        "siret": identity.get("siret", ""),
        "vat_number": identity.get("vat_number", ""),
        "address_lines": _address_lines(identity.get("address")),
        "email": identity.get("email", ""),
        "phone": identity.get("phone", ""),
        "website": identity.get("website", ""),
        "iban": identity.get("iban", ""),
        "bic": identity.get("bic", ""),
        "insurer": insurance.get("insurer", ""),
        "insurance_policy": insurance.get("policy", ""),
        "insurance_coverage": insurance.get("coverage", ""),
        "mediator_name": mediator.get("name", ""),
        "mediator_website": mediator.get("website", ""),
        "mediator_address": mediator.get("address", ""),
    }


def _client(client):
    return {
        "name": client["name"],
        "contact_name": client.get("contact_name", ""),
        "address_lines": _address_lines(client.get("address")),
        "email": client.get("email", ""),
        "phone": client.get("phone", ""),
        "siren": client.get("siren", ""),
        "vat_number": client.get("vat_number", ""),
        "country": (client.get("address") or {}).get("country", ""),
    }


def _why(exemption, lang):
    """The reason for no VAT of a row or line: its code, its mention, its short label."""
    return {"exemption": exemption, "mention": vat_rules.treatments.mention_of(exemption, lang),
            "short": vat_rules.treatments.short_label(exemption, lang)}


def _breakdown(rows, lang="fr"):
    return [{"rate": row.rate, "base": row.base, "vat": row.vat, **_why(row.exemption, lang)}
            for row in rows]


def _vat(spec, lang):
    """What the documents say about VAT beyond the amounts (terms_kit/vat/): the mentions of
    the lines without VAT, the reverse charge, the option for VAT on debits, and the
    e-invoicing mentions (category of the operation, delivery address)."""
    registered = not rules.under_vat_franchise(spec)
    delivery = vat_rules.delivery_address(spec)
    return {
        "mentions": vat_rules.exemption_mentions(spec, lang) if registered else [],
        "reverse_charge": registered and vat_rules.has_reverse_charge(spec),
        "on_debits": registered and vat_rules.vat_on_debits(spec),
        "operation_category": vat_rules.operation_category_code(spec),
        "delivery_address_lines": _address_lines(delivery) if delivery else [],
    }


def _lines_and_totals(spec_lines, lang="fr"):
    items = [
        SimpleNamespace(
            quantity=_dec(line["quantity"]),
            unit_price=_dec(line["unit_price"]),
            vat_rate=_dec(line["vat_rate"]) or Decimal("0"),
            discount_percent=_dec(line.get("discount_percent")),
            vat_exemption=line.get("vat_exemption") or "",
        )
        for line in spec_lines
    ]
    totals = money.compute_totals(items)
    lines = [
        {
            "description": line["description"],
            "quantity": item.quantity,
            "unit": line.get("unit", ""),
            "unit_price": item.unit_price,
            "vat_rate": item.vat_rate,
            "discount_percent": item.discount_percent,
            "net": net,
            "vat_exemption": item.vat_exemption,
            "vat_label": vat_rules.treatments.short_label(item.vat_exemption, lang),
        }
        for line, item, net in zip(spec_lines, items, totals.line_nets, strict=True)
    ]
    return lines, totals


def _deposit(payment, totals, lang="fr"):
    """The deposit as invoiced: the percentage of each VAT base, VAT then rounded per rate."""
    percent = _dec(payment.get("deposit_percent"))
    if not percent:
        return None
    breakdown = []
    for row in totals.breakdown:
        base = money.percent_of(row.base, percent)
        vat = money.to_cents(base * row.rate / 100)
        breakdown.append({"rate": row.rate, "base": base, "vat": vat,
                          **_why(row.exemption, lang)})
    excl_vat = sum((row["base"] for row in breakdown), money.ZERO)
    vat = sum((row["vat"] for row in breakdown), money.ZERO)
    return {
        "percent": percent,
        "label": payment.get("deposit_label", ""),
        "breakdown": breakdown,
        "excl_vat": excl_vat,
        "vat": vat,
        "incl_vat": excl_vat + vat,
    }


def _milestones(payment, totals):
    # With one VAT rate, a milestone's amount incl. VAT is well defined; with several it is not.
    rates = [row.rate for row in totals.breakdown]
    rate = rates[0] if len(rates) == 1 else None
    result = []
    for milestone in payment.get("milestones") or []:
        amount = _dec(milestone["amount"])
        vat = money.to_cents(amount * rate / 100) if rate is not None else None
        result.append(
            {
                "label": milestone["label"],
                "deliverable": milestone.get("deliverable", ""),
                "validation": milestone.get("validation", ""),
                "amount": amount,
                "vat": vat,
                "incl_vat": amount + vat if vat is not None else None,
            }
        )
    return result


def _payment(spec, flags):
    payment = spec["engagement"]["payment"]
    indemnity = _dec(payment.get("recovery_indemnity"))
    if flags["b2b_terms"] and indemnity is None:
        indemnity = flags["recovery_indemnity"]  # D441-5: owed whatever the contract says
    return {
        "model": payment["model"],
        "due_days": payment.get("due_days"),
        "end_of_month": payment.get("due_basis") == "end_of_month",
        "discount_percent": _dec(payment.get("early_payment_discount_percent")),
        "discount_days": payment.get("early_payment_discount_days"),
        "late_penalty_rate": _dec(payment.get("late_penalty_rate")),
        "recovery_indemnity": indemnity if flags["b2b_terms"] else None,
        "time_credit_hours": _dec(payment.get("time_credit_hours")),
        "time_credit_validity_months": payment.get("time_credit_validity_months"),
        "unused_credit": payment.get("unused_credit", "refunded"),
    }


def _fees(body):
    """A lawyer's fee agreement (loi 71-1130 art. 10); printed when rules.fee_agreement."""
    fees = body.get("fee_agreement") or {}
    return {
        "basis": fees.get("basis", ""),
        "hourly_rate": _dec(fees.get("hourly_rate")),
        "success_fee": bool(fees.get("success_fee", False)),
        "provision": _dec(fees.get("provision")),
        "exemption": fees.get("exemption", ""),
    }


def _terms(terms):
    """CGV text: '# Title' starts a section, other non-empty lines are its paragraphs."""
    if not terms:
        return None
    sections = []
    for raw in terms["body"].splitlines():
        line = raw.strip()
        if line.startswith("#"):
            sections.append({"title": line.lstrip("#").strip(), "paragraphs": []})
        elif line:
            if not sections:
                sections.append({"title": "", "paragraphs": []})
            sections[-1]["paragraphs"].append(line)
    return {
        "title": terms["title"],
        "version": terms.get("version"),
        "content_hash": terms.get("content_hash", ""),
        "sections": sections,
    }


def _engagement(body):
    return {
        key: body.get(key, "")
        for key in (
            "number", "title", "service_description", "deliverables", "place", "duration",
            "issue_date", "validity_date", "start_date", "end_date", "refund_terms",
            "cancellation_terms",
        )
    }


def _acceptance(acceptance):
    """Filled by the acceptance feature; None leaves the certificate's placeholders visible."""
    if not acceptance:
        return None
    keys = ("signer_name", "signer_role", "signer_email", "statement", "signed_on",
            "accepted_at", "ip_address", "user_agent", "document_sha256", "terms_sha256",
            "terms_url", "record_sequence")
    result = {key: acceptance.get(key, "") for key in keys}
    result["consents"] = acceptance.get("consents", [])
    # The files the client was shown (kind, page count, PDF SHA-256), in the pack's order.
    result["documents"] = [{"kind": d.get("kind", ""), "pages": d.get("pages") or 0,
                            "sha256": d.get("sha256", "")}
                           for d in acceptance.get("documents", [])]
    return result


def _replaces(replaces):
    """The quote a revised quote replaces (number, issue date), else None."""
    if not replaces:
        return None
    return {"number": replaces.get("number", ""), "issue_date": replaces.get("issue_date", "")}


def _rows(rows, lang="fr"):
    return [{"rate": _dec(row["rate"]), "base": _dec(row["base"]), "vat": _dec(row["vat"]),
             "incl_vat": _dec(row["base"]) + _dec(row["vat"]),
             **_why(row.get("exemption", ""), lang)} for row in rows]


def _invoice(invoice, deposit, totals, lang="fr"):
    """The invoice's own figures, as issued by services/invoicing.py (number, date, rows,
    deductions by number, net). Without them (a preview from the documents admin) the
    quote's figures are shown and the number and date stay placeholders."""
    invoice = invoice or {}
    if invoice.get("number"):
        deductions = [
            {"reference": item.get("reference", ""), "kind": item.get("kind", "deposit"),
             "date": item.get("date", ""), "amount": _dec(item["amount"])}
            for item in invoice.get("deductions", [])
        ]
        payment = invoice.get("payment") or {}
        transfer = invoice.get("transfer") or {}
        return {
            "issued": True,
            "number": invoice["number"],
            "date": invoice["date"],
            "due_date": invoice.get("due_date") or "",
            "kind": invoice.get("kind", ""),
            "title": invoice.get("title", ""),
            "rows": _rows(invoice.get("rows", []), lang),
            "excl_vat": _dec(invoice["excl_vat"]),
            "vat": _dec(invoice["vat"]),
            "incl_vat": _dec(invoice["incl_vat"]),
            "deductions": deductions,
            "deposits_deducted": deductions,
            "deposits_total": _dec(invoice.get("deducted")) or money.ZERO,
            "deducted": _dec(invoice.get("deducted")) or money.ZERO,
            "net": _dec(invoice["net"]),
            "balance_due": _dec(invoice["net"]),
            "received_on": invoice.get("received_on") or "",
            "paid": _dec(invoice.get("paid")),
            "milestone": invoice.get("milestone"),
            "corrects": invoice.get("corrects"),
            "reason": invoice.get("reason", ""),
            "payment": {"amount": _dec(payment.get("amount")),
                        "paid_on": payment.get("paid_on", ""),
                        "method": payment.get("method", ""),
                        "reference": payment.get("reference", "")} if payment else None,
            "for_invoices": invoice.get("for_invoices", []),
            # Billed for less than the accepted total (a card hold captured for less).
            "reduction": _dec((invoice.get("reduction") or {}).get("reduction")),
            "transfer": {"name": transfer.get("name", ""),
                         "iban": transfer.get("iban", ""), "bic": transfer.get("bic", ""),
                         "amount": _dec(transfer.get("amount")),
                         "reference": transfer.get("reference", "")} if transfer else None,
        }
    deducted = [
        {"reference": item.get("reference", ""), "kind": "deposit", "date": "",
         "amount": _dec(item["amount"])}
        for item in invoice.get("deposits_paid", [])
    ]
    if not deducted and deposit:
        deducted = [{"reference": "", "kind": "deposit", "date": "",
                     "amount": deposit["incl_vat"]}]
    paid = sum((item["amount"] for item in deducted), money.ZERO)
    rows = deposit["breakdown"] if deposit else _breakdown(totals.breakdown, lang)
    return {
        "issued": False,
        "number": invoice.get("number", ""),
        "date": invoice.get("date", ""),
        "due_date": "",
        "kind": "",
        "title": "",
        "rows": [dict(row, incl_vat=row["base"] + row["vat"]) for row in rows],
        "excl_vat": deposit["excl_vat"] if deposit else totals.total_excl_vat,
        "vat": deposit["vat"] if deposit else totals.total_vat,
        "incl_vat": deposit["incl_vat"] if deposit else totals.total_incl_vat,
        "deductions": deducted,
        "deposits_deducted": deducted,
        "deposits_total": paid,
        "deducted": paid,
        "net": totals.total_incl_vat - paid,
        "balance_due": totals.total_incl_vat - paid,
        "received_on": "",
        "paid": None,
        "milestone": None,
        "corrects": None,
        "reason": "",
        "payment": None,
        "for_invoices": [],
        "reduction": None,
        "transfer": None,
    }


NOTICE_INVOICE_KEYS = ("number", "date", "due_date", "amount", "paid", "unpaid", "days_late",
                       "interest", "indemnity")
NOTICE_LINE_KEYS = ("invoice", "start", "end", "base", "rate", "days", "amount")
NOTICE_KEYS = ("number", "date", "deadline_days", "deadline_date", "debtor", "consumer",
               "principal", "interest", "indemnity", "total", "indemnity_each", "legal_rate",
               "small_claims", "small_claims_limit", "runs_from_notice")


def _notice(notice):
    """A formal notice's figures, as issued by dunning/notices.py (every key always there)."""
    notice = notice or {}
    out = {key: notice.get(key, "") for key in NOTICE_KEYS}
    out["invoices"] = [{key: item.get(key, "") for key in NOTICE_INVOICE_KEYS}
                       for item in notice.get("invoices", [])]
    out["lines"] = [{key: item.get(key, "") for key in NOTICE_LINE_KEYS}
                    for item in notice.get("lines", [])]
    out["payments"] = [{key: item.get(key, "") for key in ("date", "amount", "invoice")}
                       for item in notice.get("payments", [])]
    return out


RECOURSE_KEYS = ("date", "procedure", "procedure_label", "court", "cerfa", "claim_total",
                 "prescription_date", "prescription_years", "notice_number", "notice_date",
                 "debtor_kind")


def _recourse(recourse):
    """A recourse file's summary (dunning/recourse.py): procedure, claim, pieces, warnings."""
    recourse = recourse or {}
    out = {key: recourse.get(key, "") for key in RECOURSE_KEYS}
    out["warnings"] = list(recourse.get("warnings", []))
    out["pieces"] = [{key: item.get(key, "") for key in ("name", "what", "sha256")}
                     for item in recourse.get("pieces", [])]
    return out


def _plan(plan):
    """An instalment plan as offered (services/plans.py). Without it (a preview from the
    documents admin) the tables are empty and the number stays a placeholder."""
    plan = plan or {}
    return {
        "issued": bool(plan.get("number")),
        "number": plan.get("number", ""),
        "date": plan.get("date", ""),
        "debt": _dec(plan.get("debt")) or money.ZERO,
        "total": _dec(plan.get("total")) or money.ZERO,
        "count": plan.get("count", 0),
        "invoices": [{"number": item.get("number", ""), "date": item.get("date", ""),
                      "due_date": item.get("due_date", ""), "amount": _dec(item.get("amount")),
                      "outstanding": _dec(item.get("outstanding"))}
                     for item in plan.get("invoices", [])],
        "instalments": [{"position": item.get("position"), "due_date": item.get("due_date", ""),
                         "amount": _dec(item.get("amount"))}
                        for item in plan.get("instalments", [])],
    }


def build_context(spec, kind, lang, extras=None):
    """Everything a template may use. ``extras`` may hold ``acceptance``, ``invoice``,
    ``notice`` (formal notice), ``recourse`` (recourse summary), ``plan`` (instalment plan)
    and ``replaces`` (the quote a revision replaces: number and issue date)."""
    if kind not in KINDS:
        raise ValueError(f"Unknown document kind {kind!r}; use one of {', '.join(KINDS)}.")
    extras = extras or {}
    flags = rules.flags(spec)
    lines, totals = _lines_and_totals(spec["engagement"]["lines"], lang)
    deposit = _deposit(spec["engagement"]["payment"], totals, lang)
    return {
        "doc": {"kind": kind, "lang": lang},
        "rules": flags,
        "seller": _seller(spec["identity"]),
        "client": _client(spec["client"]),
        "engagement": _engagement(spec["engagement"]),
        "lines": lines,
        "totals": {
            "excl_vat": totals.total_excl_vat,
            "vat": totals.total_vat,
            "incl_vat": totals.total_incl_vat,
            "breakdown": _breakdown(totals.breakdown, lang),
        },
        "vat": _vat(spec, lang),
        "payment": _payment(spec, flags),
        "fees": _fees(spec["engagement"]),
        "deposit": deposit,
        "milestones": _milestones(spec["engagement"]["payment"], totals),
        "terms": _terms(spec.get("terms")),
        "acceptance": _acceptance(extras.get("acceptance")),
        "invoice": _invoice(extras.get("invoice"), deposit, totals, lang),
        "notice": _notice(extras.get("notice")),
        "recourse": _recourse(extras.get("recourse")),


        "plan": _plan(extras.get("plan")),
        "replaces": _replaces(extras.get("replaces")),
    }
