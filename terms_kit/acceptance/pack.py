"""The PDFs made at acceptance and withdrawal, before sealing: the signed pack and the receipt."""

import io

import docx
import pypdf

from ..documents.generation import to_pdf

RECEIPT_TEXT = {
    "fr": {
        "title": "Accusé de réception de votre rétractation",
        "intro": "Nous avons bien reçu votre rétractation du contrat ci-dessous.",
        "engagement": "Devis",
        "seller": "Professionnel",
        "client": "Client",
        "received": "Rétractation reçue le",
        "refund": "Les sommes versées vous sont remboursées au plus tard {days} jours après "
                  "cette date (art. L221-24 du Code de la consommation).",
        "record": "Empreinte de l'enregistrement",
    },
    "en": {
        "title": "Acknowledgement of your withdrawal",
        "intro": "We have received your withdrawal from the contract below.",
        "engagement": "Quote",
        "seller": "Professional",
        "client": "Client",
        "received": "Withdrawal received on",
        "refund": "Any sums paid are refunded no later than {days} days after this date "
                  "(French Consumer Code, art. L221-24).",
        "record": "Record fingerprint",
    },
}

PLAN_TEXT = {
    "fr": {
        "title": "Acceptation de l'échéancier",
        "plan": "Échéancier",
        "engagement": "Devis",
        "seller": "Professionnel",
        "client": "Client",
        "signer": "Signataire",
        "accepted": "Accepté le",
        "network": "Adresse IP · navigateur",
        "consent": "Déclaration cochée",
        "documents": "Documents présentés",
        "record": "Empreinte de l'enregistrement",
    },
    "en": {
        "title": "Acceptance of the instalment plan",
        "plan": "Instalment plan",
        "engagement": "Quote",
        "seller": "Professional",
        "client": "Client",
        "signer": "Signed by",
        "accepted": "Accepted on",
        "network": "IP address · browser",
        "consent": "Statement ticked",
        "documents": "Documents shown",
        "record": "Record fingerprint",
    },
}

# Legal text stored as shown, in both languages like the receipts above (not in catalogues).
RECONSENT_TEXT = {
    "fr": {
        "title": "Acceptation de nouvelles conditions générales",
        "engagement": "Devis",
        "version": "Conditions acceptées",
        "url": "Adresse permanente de ces conditions",
        "previous": "Remplacent",
        "changes": "Clauses modifiées",
        "seller": "Professionnel",
        "client": "Client",
        "signer": "Signataire",
        "accepted": "Accepté le",
        "network": "Adresse IP · navigateur",
        "consent": "Déclaration cochée",
        "documents": "Documents présentés",
        "record": "Empreinte de l'enregistrement",
    },
    "en": {
        "title": "Acceptance of new terms of sale",
        "engagement": "Quote",
        "version": "Terms accepted",
        "url": "Permanent address of these terms",
        "previous": "Replacing",
        "changes": "Clauses changed",
        "seller": "Professional",
        "client": "Client",
        "signer": "Signed by",
        "accepted": "Accepted on",
        "network": "IP address · browser",
        "consent": "Statement ticked",
        "documents": "Documents shown",
        "record": "Record fingerprint",
    },
}


def page_count(data):
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def signed_pack(shown, certificate, *, signed_quote, number):
    """The PDF sealed at acceptance: the quote first, then the CGV, then the certificate.

    ``shown``: (kind, PDF bytes) of the documents the client was shown, whose SHA-256 the
    consent record holds. The quote's pages in the pack are ``signed_quote()``: the same
    quote rendered with its "Bon pour accord" block filled (signer, role, date, statement).
    The quote exactly as shown is attached to the pack byte for byte, so what the client
    accepted can always be taken out of the pack and checked against the record's hash.
    """
    quotes = [data for kind, data in shown if kind == "quote"]
    others = [data for kind, data in shown if kind != "quote"]
    head = [signed_quote()] if quotes else []
    merged = merge_pdfs(head + others + [certificate])
    if not quotes:
        return merged
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(merged))
    writer.add_attachment(accepted_quote_name(number), quotes[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def accepted_quote_name(number):
    return f"{number}-quote-as-accepted.pdf"


def attachments(data):
    """{name: bytes} of the files attached to a PDF (the accepted quote, in a signed pack)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return {name: contents[0] for name, contents in reader.attachments.items()}


def merge_pdfs(parts):
    """One PDF with the pages of ``parts`` (bytes), in order."""
    writer = pypdf.PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def withdrawal_receipt_pdf(lang, *, number, title, seller, client, received_at, record_hash,
                           refund_days=14, converter=None):
    """A dated acknowledgement (durable medium, L221-21): a short DOCX converted to PDF."""
    text = RECEIPT_TEXT["en" if lang == "en" else "fr"]
    document = docx.Document()
    document.add_heading(text["title"], level=1)
    document.add_paragraph(text["intro"])
    document.add_paragraph(f"{text['engagement']} : {number} · {title}")
    document.add_paragraph(f"{text['seller']} : {seller}")
    document.add_paragraph(f"{text['client']} : {client}")
    document.add_paragraph(f"{text['received']} {received_at}")
    document.add_paragraph(text["refund"].format(days=refund_days))
    document.add_paragraph(f"{text['record']} : {record_hash}")
    buffer = io.BytesIO()
    document.save(buffer)
    return to_pdf(buffer.getvalue(), converter)


def plan_acceptance_pdf(lang, *, number, engagement_number, seller, client, signer, email,
                        accepted_at, ip_address, user_agent, consent, documents, record_hash,
                        converter=None):
    """The last page of a plan's sealed pack: who accepted which plan, when, and the exact
    statement ticked (the plan document itself comes before it)."""
    text = PLAN_TEXT["en" if lang == "en" else "fr"]
    rows = (("plan", number), ("engagement", engagement_number), ("seller", seller),
            ("client", client), ("signer", f"{signer} <{email}>"), ("accepted", accepted_at),
            ("network", f"{ip_address} · {user_agent}"))
    return _statement_pdf(lang, text, rows, consent, documents, record_hash, converter)


def reconsent_pdf(lang, *, engagement_number, version, previous_version, changes, seller,
                  client, signer, email, accepted_at, ip_address, user_agent, consent,
                  documents, record_hash, terms_url="", converter=None):
    """The last page of a re-consent's sealed pack: who accepted which new terms version (and
    its permanent address, when a terms page publishes it) for which quote, instead of which
    one, the material clauses that changed, the statement."""
    text = RECONSENT_TEXT["en" if lang == "en" else "fr"]
    rows = (("engagement", engagement_number), ("version", version),
            *((("url", terms_url),) if terms_url else ()), ("previous", previous_version),
            ("changes", changes), ("seller", seller),
            ("client", client), ("signer", f"{signer} <{email}>"), ("accepted", accepted_at),
            ("network", f"{ip_address} · {user_agent}"))
    return _statement_pdf(lang, text, rows, consent, documents, record_hash, converter)


def _statement_pdf(lang, text, rows, consent, documents, record_hash, converter):
    """A one-page certificate (a short DOCX turned into PDF): labelled rows, then the exact
    statement ticked, the documents shown and the record's hash."""
    colon = ":" if lang == "en" else " :"
    document = docx.Document()
    document.add_heading(text["title"], level=1)
    for key, value in rows:
        document.add_paragraph(f"{text[key]}{colon} {value}")
    document.add_paragraph(f"{text['consent']}{colon}")
    document.add_paragraph(f"☑ {consent}")
    document.add_paragraph(f"{text['documents']}{colon} {documents}")
    document.add_paragraph(f"{text['record']}{colon} {record_hash}")
    buffer = io.BytesIO()
    document.save(buffer)
    return to_pdf(buffer.getvalue(), converter)
