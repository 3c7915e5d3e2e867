"""What the client pages show, in plain words: built from the same context as the documents."""

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..documents import formatting, sealing
from ..documents.context import build_context
from ..documents.hashing import sha256
from ..models import IssuedDocument, SealedFile
from . import evidence


def _payment_sentences(ctx, lang):
    money = lambda value: formatting.money(value, lang)  # noqa: E731
    payment, deposit, rules = ctx["payment"], ctx["deposit"], ctx["rules"]
    total = money(ctx["totals"]["incl_vat"])
    with translation.override(lang):
        model = {
            "full_prepayment": _("You pay the full price (%(total)s) before the service."),
            "deposit": _("You pay a deposit on acceptance, the balance at the end."),
            "milestones": _("You pay in stages, each milestone once you have validated it."),
            "time_credit": _("You buy a prepaid time credit (%(total)s), used session by "
                             "session."),
            "pay_per_act": _("You pay for each service when it is delivered."),
            "preauthorisation": _("Your card is pre-authorised for %(total)s when you book; "
                                  "it is charged only once the service has taken place."),
            "on_completion": _("You pay %(total)s once the service has been performed."),
        }[payment["model"]] % {"total": total}
        sentences = [model]
        if deposit:
            label = {"acompte": _("an acompte (a firm commitment)"),
                     "arrhes": _("arrhes (you may withdraw by losing them)")}.get(
                deposit["label"], _("arrhes (you may withdraw by losing them)"))
            sentences.append(_("Deposit: %(amount)s, that is %(percent)s of the price, as "
                               "%(label)s.") % {"amount": money(deposit["incl_vat"]),
                                                "percent": formatting.percent(deposit["percent"],
                                                                              lang),
                                                "label": label})
        for milestone in ctx["milestones"]:
            sentences.append(_("Milestone “%(label)s”: %(amount)s excl. VAT.")
                             % {"label": milestone["label"], "amount": money(milestone["amount"])})
        if payment["due_days"] == 0:
            sentences.append(_("Invoices are payable on receipt."))
        elif payment["due_days"]:
            sentences.append(ngettext("Invoices are payable within %(days)s day.",
                                      "Invoices are payable within %(days)s days.",
                                      payment["due_days"]) % {"days": payment["due_days"]})
        if payment["discount_percent"]:
            sentences.append(_("Early payment within %(days)s days: %(percent)s discount.") % {
                "days": payment["discount_days"],
                "percent": formatting.percent(payment["discount_percent"], lang)})
        if rules["b2b_terms"]:
            sentences.append(_("Late payment: penalties at %(rate)s a year and a fixed %(fee)s "
                               "recovery indemnity.") % {
                "rate": formatting.percent(payment["late_penalty_rate"], lang) or "-",
                "fee": money(payment["recovery_indemnity"])})
        if rules["penalty_clause"]:
            sentences.append(_("Late payment: a penalty at %(rate)s a year, which a judge may "
                               "reduce if it is excessive (Civil Code 1231-5).") % {
                "rate": formatting.percent(payment["late_penalty_rate"], lang)})
        if rules["withdrawal"]:
            sentences.append(_("You may withdraw within %(days)s days of accepting, without "
                               "giving a reason.") % {"days": rules["withdrawal_days"]})
        if rules["vat_franchise"]:
            sentences.append("TVA non applicable, art. 293 B du CGI")
    return sentences


def summary(spec, lang, rights=None):
    """What the client page shows. ``rights``: the withdrawal right frozen at acceptance
    (services.acceptance.accepted_rights), which wins over today's data once accepted."""
    ctx = build_context(spec, "quote", lang)
    if rights is not None:
        ctx["rules"] = {**ctx["rules"], "withdrawal": rights["withdrawal"],
                        "withdrawal_days": rights["withdrawal_days"]}
    money = lambda value: formatting.money(value, lang)  # noqa: E731
    return {
        "seller": ctx["seller"],
        "sole_trader": ctx["rules"]["sole_trader"],
        "client": ctx["client"],
        "engagement": ctx["engagement"],
        "issue_date": formatting.date(ctx["engagement"]["issue_date"], lang),
        "validity_date": formatting.date(ctx["engagement"]["validity_date"], lang),
        "start_date": formatting.date(ctx["engagement"]["start_date"], lang),
        "lines": [{"description": line["description"],
                   "quantity": formatting.number(line["quantity"], lang),
                   "unit": line["unit"], "net": money(line["net"])} for line in ctx["lines"]],
        "totals": {"excl_vat": money(ctx["totals"]["excl_vat"]),
                   "vat": money(ctx["totals"]["vat"]),
                   "incl_vat": money(ctx["totals"]["incl_vat"])},
        "vat_lines": ctx["rules"]["vat_lines"],
        "payment": _payment_sentences(ctx, lang),
        "terms": ctx["terms"],
    }


def masked_email(email):
    """j***@example.net: enough for the client to recognise, little for an onlooker."""
    local, _sep, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def _terms_version_of(sealed, issued, engagement):
    """The terms version the file itself is about: the one its record or its snapshot names.
    The engagement's current version is only the fallback: after a re-consent it is the new
    one, while the first signed pack still cites the old."""
    import json

    if sealed is not None:
        try:
            terms = json.loads(sealed.record.payload).get("terms") or {}
        except ValueError:
            terms = {}  # record_is_intact reports it
        if terms.get("version") is not None:
            return terms["version"]
    if issued is not None:
        terms = ((issued.snapshot or {}).get("spec") or {}).get("terms") or {}
        if terms.get("version") is not None:
            return terms["version"]
    current = engagement.terms_version
    return current.version if current else None


def seal_verdict(data):
    """What the public verification page may say about an uploaded PDF, and nothing more.

    The file's SHA-256 is looked up first: a file this site never issued or sealed is
    answered at once, without parsing it (a hostile PDF costs one hash). Only a file we
    sealed ourselves gets its seal validated, and its consent record checked.
    """
    digest = sha256(data)
    sealed = SealedFile.objects.select_related("record", "engagement__terms_version").filter(
        pdf_sha256=digest).first()
    issued = None
    if sealed is None:
        issued = IssuedDocument.objects.select_related("engagement__terms_version").filter(
            pdf_sha256=digest).first()
    known = sealed or issued
    result = {"sha256": digest, "ok": False, "known": known is not None,
              "sealed": sealed is not None, "evidence_ok": True}
    if known is None:
        return result
    engagement = known.engagement
    result.update(
        number=engagement.number,
        terms_version=_terms_version_of(sealed, issued, engagement),
        kind=sealed.record.get_kind_display() if sealed else known.get_kind_display(),
    )
    if sealed is not None:
        check = sealing.check_seal(data)
        result["seal_ok"] = check.ok
        result["evidence_ok"] = evidence.record_is_intact(sealed.record, data)
        result["ok"] = check.ok and result["evidence_ok"]
    accepted = engagement.consent_records.filter(kind="acceptance").first()
    if sealed is not None and sealed.record.kind == "terms_reconsent":
        accepted = sealed.record  # new terms accepted later: that answer's own date
    if accepted is not None:
        # An acceptance date is shown only from a record that checks out.
        if evidence.record_is_intact(accepted):
            result["accepted_at"] = accepted.created_at
        else:
            result["evidence_ok"] = result["ok"] = False
    return result
