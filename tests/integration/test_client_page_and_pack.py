"""Issue 13, Client and Documents: what the client page shows, what the signed pack holds.

Real LibreOffice output (the acceptance tests' converter), real seal, HTTP through the
client's link. The "issue 13 case" is the issue's user: a web developer quoting 6 000 € HT
to an SAS with a 40 % deposit, payable on receipt.
"""

import hashlib
import html
import io
import json
import re
import subprocess
from decimal import Decimal

import pypdf
import pytest
from acceptance_helpers import accept_form, as_shown, url, verify_email
from django.core import mail
from django.core.management import call_command

from terms_kit.acceptance import consents as consent_wording
from terms_kit.acceptance import pack as pack_module
from terms_kit.models import ConsentRecord, IssuedDocument, SealedFile
from terms_kit.services import acceptance as service

pytestmark = pytest.mark.django_db

HEX64 = re.compile(r"\b[0-9a-f]{64}\b")


def issue13_case(spec):
    """6 000 € HT at 20 % to Atelier Vélo Breizh SAS (contact Sophie Le Gall), 40 % acompte,
    invoices payable on receipt."""
    spec["client"].update(name="Atelier Vélo Breizh SAS", contact_name="Sophie Le Gall")
    body = spec["engagement"]
    body["deliverables"] = "Maquettes validées\nSite en ligne <b>sur votre domaine</b>\nFormation"
    body["lines"] = [{"description": "Site vitrine et boutique", "discount_percent": None,
                      "quantity": "1.000", "unit": "forfait", "unit_price": "6000.00",
                      "vat_rate": "20.00"}]
    body["payment"].update(model="deposit", deposit_percent="40.00", deposit_label="acompte",
                           milestones=[], due_days=0, early_payment_discount_days=None,
                           early_payment_discount_percent=None)


def read(field):
    with field.storage.open(field.name, "rb") as handle:
        return handle.read()


def outside_details(content):
    """The page's text with every <details> (the proof disclosures) taken out."""
    return re.sub(r"<details.*?</details>", "", content, flags=re.S)


def page_texts(data):
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def sign(client, token, keys, capture, **form):
    verify_email(client, token)
    with capture(execute=True):
        return client.post(url("accept", token), accept_form(keys, **form), follow=True)


# --- The client page -----------------------------------------------------------------------

def test_client_page_shows_the_expert_and_keeps_hashes_in_proof_disclosures(sent, client):
    engagement, sent_link = sent("S2")
    verify_email(client, sent_link.token)
    content = client.get(url("review", sent_link.token)).content.decode()
    identity = engagement.identity
    expert = re.search(r'<section id="expert">(.*?)</section>', content, re.S).group(1)
    for value in (identity.legal_name, identity.email, identity.phone, identity.siren,
                  identity.siret, identity.vat_number, identity.address_line1,
                  identity.city):
        assert value and html.escape(value) in expert, value

    # Fingerprints: inside the disclosures only, never in a sentence the client reads.
    assert not HEX64.search(outside_details(content))
    proofs = "".join(re.findall(r"<details.*?</details>", content, re.S))
    assert engagement.terms_version.content_hash in proofs
    for document in sent_link.link.documents.all():
        assert document.pdf_sha256 in proofs and document.docx_sha256 in proofs
    # The terms consent as stored: the very sentence, hash included, shown in its proof.
    [terms] = [c for c in service.consents_for(sent_link.link) if c.key == "terms"]
    assert html.escape(terms.wording) in proofs
    label = re.search(r'id="consent_terms" required> <span>(.*?)</span>', content).group(1)
    assert html.unescape(label) == terms.shown and terms.wording.startswith(terms.shown[:-1])


def test_terms_consent_stores_the_same_sentence_as_before(spec):
    """Records made before the page folded the hash away hold this exact sentence: new ones
    must too (the wording is hashed into the chain)."""
    data = spec("S2")
    data["terms"].update(version=3, content_hash="a" * 64)
    [terms, _deposit] = consent_wording.required_consents(data, "fr")
    assert terms.wording == ("J'ai lu et j'accepte les conditions générales de vente "
                             "« Conditions générales de vente », version 3 (empreinte SHA-256 "
                             + "a" * 64 + ").")
    [terms_en, _] = consent_wording.required_consents(data, "en")
    assert terms_en.wording == ("I have read and accept the terms of sale \u201cConditions "
                                "générales de vente\u201d, version 3 (SHA-256 fingerprint "
                                + "a" * 64 + ").")


def test_deposit_consent_states_amount_share_and_when_it_is_due(spec):
    data = spec("S2")
    issue13_case(data)
    # By hand: 6 000,00 HT x 40 % = 2 400,00 HT; VAT 20 % = 480,00; 2 880,00 TTC.
    deposit = Decimal("6000.00") * Decimal("0.40")
    incl_vat = deposit + deposit * Decimal("0.20")
    assert incl_vat == Decimal("2880.00")
    [_terms, fr] = consent_wording.required_consents(data, "fr")
    assert fr.wording == ("J'accepte de verser un acompte de 2\u202f880,00\u00a0€\u00a0TTC "
                          "(40\u00a0%), payable à l'acceptation.")
    [_terms, en] = consent_wording.required_consents(data, "en")
    assert en.wording.startswith("I agree to pay a deposit (acompte")
    assert en.wording.endswith("of €2,880.00\u00a0incl. VAT (40%), payable on acceptance.")
    # S6 (self-paid training): nothing is payable before the 10-day withdrawal period ends.
    training = spec("S6")
    training["engagement"]["payment"].update(model="deposit", deposit_percent="30.00",
                                             deposit_label="acompte")
    wording = [c for c in consent_wording.required_consents(training, "fr")
               if c.key == "deposit"][0].wording
    assert wording.endswith("payable à la fin du délai de rétractation de 10 jours.")


def test_link_email_greets_the_contact_person_not_the_company(sent):
    mail.outbox.clear()
    sent("S2", change=issue13_case)
    [message] = mail.outbox
    assert message.body.startswith("Bonjour Sophie Le Gall,")
    assert "Bonjour Atelier" not in message.body
    mail.outbox.clear()
    sent("S1")  # a consumer: their own name
    assert mail.outbox[0].body.startswith("Bonjour Julien Petit,")


def test_deliverables_keep_their_line_breaks_escaped(sent, client):
    _engagement, sent_link = sent("S2", change=issue13_case)
    content = client.get(url("review", sent_link.token)).content.decode()
    deliverables = re.search(r'<p id="deliverables">(.*?)</p>', content, re.S).group(1)
    assert ("Maquettes validées<br>Site en ligne &lt;b&gt;sur votre domaine&lt;/b&gt;<br>"
            "Formation") in deliverables


def test_company_signatory_must_give_a_role_which_is_stored_with_the_evidence(
        sent, client, django_capture_on_commit_callbacks):
    engagement, sent_link = sent("S2", change=issue13_case)
    token = sent_link.token
    verify_email(client, token)
    page = client.get(url("review", token)).content.decode()
    assert 'id="signer_role"' in page and "Votre qualité chez Atelier Vélo Breizh SAS" in page
    response = client.post(url("accept", token), accept_form(["terms", "deposit"],
                           "Sophie Le Gall", signer_role=" "), follow=True)
    assert as_shown("Type your role in the company (for example: managing director): the "
                    "quote is signed in that capacity.") in response.content
    assert not ConsentRecord.objects.exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("accept", token), accept_form(
            ["terms", "deposit"], "Sophie  Le Gall", signer_role="  Gérante "), follow=True)
    # Both parties' e-mails name the signatory and her role.
    signed = [m for m in mail.outbox if m.attachments]
    assert len(signed) == 2
    assert all("« Bon pour accord » signé par Sophie Le Gall (Gérante) le" in m.body
               for m in signed)
    payload = json.loads(ConsentRecord.objects.get().payload)
    assert payload["client"]["signer_role"] == "Gérante"
    assert payload["signature"] == {**payload["signature"], "role": "Gérante",
                                    "typed_name": "Sophie Le Gall",
                                    "statement": "Bon pour accord"}
    [deposit] = [c for c in payload["consents"] if c["key"] == "deposit"]
    assert ("2\u202f880,00\u00a0€\u00a0TTC (40\u00a0%), payable à l'acceptation"
            in deposit["wording"])


def test_consumer_page_asks_no_role_and_stores_none(sent, client,
                                                    django_capture_on_commit_callbacks):
    _engagement, sent_link = sent("S1")
    verify_email(client, sent_link.token)
    assert 'id="signer_role"' not in client.get(url("review", sent_link.token)).content.decode()
    sign(client, sent_link.token, ["terms", "early_start", "withdrawal_loss"],
         django_capture_on_commit_callbacks, signer_role="ignored")
    payload = json.loads(ConsentRecord.objects.get().payload)
    assert "signer_role" not in payload["client"] and "role" not in payload["signature"]


# --- The signed pack -----------------------------------------------------------------------

def test_signed_pack_is_quote_then_cgv_then_french_certificate_and_keeps_the_accepted_quote(
        sent, client, django_capture_on_commit_callbacks):
    engagement, sent_link = sent("S2", change=issue13_case)
    shown = {d.kind: d for d in sent_link.link.documents.all()}
    sign(client, sent_link.token, ["terms", "deposit"], django_capture_on_commit_callbacks,
         full_name="Sophie Le Gall", signer_role="Gérante")
    record = ConsentRecord.objects.get()
    pack = read(SealedFile.objects.get(record=record).pdf)
    texts = page_texts(pack)
    quote_pages = pack_module.page_count(read(shown["quote"].pdf))
    terms_pages = pack_module.page_count(read(shown["terms"].pdf))
    assert len(texts) > quote_pages + terms_pages  # the certificate comes last
    assert texts[0].lstrip().startswith("Devis")
    assert texts[quote_pages].lstrip().startswith("Conditions générales de vente")
    certificate = "\n".join(texts[quote_pages + terms_pages:])
    assert certificate.lstrip().startswith("Certificat d'acceptation")

    # The quote's "Bon pour accord" block carries the signature.
    quote = " ".join("\n".join(texts[:quote_pages]).split())
    block = quote[quote.index("Date :", quote.rindex("Nom, qualité") - 60):]
    signed_on = record.created_at.date()
    assert block.startswith("Date :") and "Nom, qualité et signature du client" in block
    assert "Sophie Le Gall, Gérante : « Bon pour accord », signé électroniquement le" in block
    assert f"{signed_on.day} " in block and str(signed_on.year) in block
    assert f"n° {record.sequence}" in block

    # What the client accepted is in the pack byte for byte: the attachment is the quote
    # as shown, whose SHA-256 the consent record holds.
    attached = pack_module.attachments(pack)[f"{engagement.number}-quote-as-accepted.pdf"]
    payload = json.loads(record.payload)
    [quote_entry] = [d for d in payload["documents"] if d["kind"] == "quote"]
    assert hashlib.sha256(attached).hexdigest() == quote_entry["pdf_sha256"] == \
        shown["quote"].pdf_sha256
    assert attached == read(shown["quote"].pdf)

    # The certificate speaks French, with plurals and the page counts of the real files.
    flat = " ".join(certificate.split())
    assert "PDF quote" not in flat and "terms PDF" not in flat and "quote PDF" not in flat
    for label, document, pages in (("Devis présenté et accepté", shown["quote"], quote_pages),
                                   ("Conditions générales de vente", shown["terms"],
                                    terms_pages)):
        words = f"{pages} page" + ("s" if pages > 1 else "")
        assert f"{label} (PDF, {words}) : SHA-256 {document.pdf_sha256}" in flat.replace(
            "\u00a0", " ")
    assert not re.search(r"\b([2-9]|\d{2,}) page\b", flat)
    assert "Signataire : Sophie Le Gall, Gérante" in flat
    assert "Atelier Vélo Breizh SAS, à l'attention de Sophie Le Gall" in flat
    # No terms page publishes this version: the certificate cites it by number and hash only.
    assert "Adresse permanente" not in flat
    call_command("termskit", "verify")  # the new pack, its record and files check out


def test_pack_and_certificate_cite_the_terms_page_address_of_the_accepted_version(
        sent, client, django_capture_on_commit_callbacks):
    """When a live terms page publishes the version the client accepts, the certificate (last
    pages of the sealed pack) gives that version's permanent /v/<n>/ address; a later version
    of the same terms does not change what the pack cites."""
    from pages_helpers import site_root

    from terms_kit.models import TermsPage, TermsVersion
    from terms_kit.services.terms import publish_terms

    engagement, sent_link = sent("S2", change=issue13_case)
    accepted_version = engagement.terms_version
    page = site_root().add_child(instance=TermsPage(
        title="CGV professionnels", slug="cgv-pro", expert=engagement.owner,
        audience="business", terms=accepted_version))
    # A newer version of the same terms, published before the client signs: the pack still
    # cites the version the client was shown and accepts.
    newer = TermsVersion.objects.create(
        owner=engagement.owner, title=accepted_version.title, language="fr",
        body=accepted_version.body + "\n\n# 99. Ajout\n\nUn paragraphe de plus.",
        supersedes=accepted_version)
    publish_terms(newer)
    sign(client, sent_link.token, ["terms", "deposit"], django_capture_on_commit_callbacks,
         full_name="Sophie Le Gall", signer_role="Gérante")
    pack = read(SealedFile.objects.get(engagement=engagement).pdf)
    address = page.get_full_url() + f"v/{accepted_version.version}/"
    assert address.startswith("http")
    assert address.endswith(f"/cgv-pro/v/{accepted_version.version}/")
    text = " ".join(page_texts(pack))
    flat = "".join(text.split())  # a long address may wrap in the PDF
    assert "AdressepermanentedecetteversiondesCGV" in flat
    assert address in flat and f"/v/{newer.version}/" not in flat
    certificate = IssuedDocument.objects.get(engagement=engagement, kind="certificate")
    assert address in "".join(" ".join(page_texts(read(certificate.pdf))).split())


def test_an_old_style_pack_stays_verifiable(sent, client, django_capture_on_commit_callbacks):
    """Packs sealed before this change (CGV first, no attachment) are checked by their stored
    SHA-256, their seal and the record their seal names: none of it depends on the layout."""
    from terms_kit.acceptance.evidence import check_sealed_against_record, seal_reason
    from terms_kit.documents import sealing

    engagement, sent_link = sent("S2")
    sign(client, sent_link.token, ["terms", "deposit"], django_capture_on_commit_callbacks,
         full_name="Marie Durand")
    record = ConsentRecord.objects.get()
    shown = list(sent_link.link.documents.order_by("pk"))
    certificate = IssuedDocument.objects.filter(engagement=engagement,
                                                kind="certificate").latest("pk")
    # The layout sealed until now: the shown documents in order, then the certificate.
    old_layout = pack_module.merge_pdfs([read(d.pdf) for d in shown] + [read(certificate.pdf)])
    old_pack = sealing.seal_pdf(old_layout, seal_reason(record, "Accepted (old layout)"))
    assert sealing.check_seal(old_pack).ok
    assert check_sealed_against_record(SealedFile.objects.get(record=record), old_pack) == []
    assert pack_module.attachments(old_pack) == {}
    call_command("termskit", "verify")


# --- The documents themselves (real LibreOffice) -------------------------------------------

def ink_columns(pdf, page_index=0, dpi=100):
    """(leftmost, rightmost) x in cm of anything drawn on a page (pdftoppm, greyscale)."""
    from PIL import Image

    png = subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page_index + 1),
                          "-l", str(page_index + 1), "-png", "-", ], input=pdf,
                         capture_output=True, check=True).stdout
    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    pixels = image.load()
    columns = [x for x in range(width) if any(pixels[x, y] < 160 for y in range(0, height, 2))]
    to_cm = 2.54 / dpi
    return columns[0] * to_cm, columns[-1] * to_cm


def test_quote_pdf_tables_stay_inside_the_margins_and_money_never_wraps(
        sent, client, django_capture_on_commit_callbacks):
    engagement, sent_link = sent("S2")  # three lines, milestones table, 14 400,00 € TTC
    quote = read(sent_link.link.documents.get(kind="quote").pdf)
    left, right = ink_columns(quote)
    # A4 is 21 cm with 2 cm margins: nothing drawn outside [2, 19] cm (1 px of anti-aliasing).
    assert left >= 2.0 - 0.03 and right <= 19.0 + 0.03, (left, right)
    text = "\n".join(page_texts(quote))
    lines = [line.strip() for line in text.splitlines()]
    assert "€" not in lines, "a euro sign wrapped onto its own line"
    assert not any(line.startswith("€") for line in lines)
    for amount in ("4\u202f000,00\u00a0€", "6\u202f000,00\u00a0€", "2\u202f000,00\u00a0€"):
        assert any(amount.replace("\u202f", " ").replace("\u00a0", " ")
                   in line.replace("\u202f", " ").replace("\u00a0", " ") for line in lines), amount


def test_quote_says_payment_on_receipt_and_addresses_the_company_contact(sent):
    _engagement, sent_link = sent("S2", change=issue13_case)
    text = " ".join("\n".join(page_texts(read(
        sent_link.link.documents.get(kind="quote").pdf))).split())
    assert "Paiement à réception de la facture." in text
    assert "0 jours" not in text
    assert "Atelier Vélo Breizh SAS, à l'attention de Sophie Le Gall" in text
    assert "Bon pour accord" in text and "Gérante" not in text  # unsigned until accepted


def test_every_document_stays_inside_the_margins_and_previews_for_the_docs(
        sent, client, django_capture_on_commit_callbacks, tmp_path):
    """S2 accepted (quote, CGV, signed pack's certificate, deposit and final invoice previews)
    and S1's quote and CGV: first pages drawn inside the margins. With
    TERMS_KIT_SCREENSHOTS=docs/images the first pages are written there (pdftoppm) for the
    docs, plus the signed quote's last page (its "Bon pour accord" block)."""
    import os
    from pathlib import Path

    from terms_kit.services.documents import issue_document

    folder = Path(os.environ.get("TERMS_KIT_SCREENSHOTS") or tmp_path)
    engagement, sent_link = sent("S2")
    sign(client, sent_link.token, ["terms", "deposit"], django_capture_on_commit_callbacks,
         full_name="Sophie Durand", signer_role="Directrice des achats")
    shown = {d.kind: read(d.pdf) for d in sent_link.link.documents.all()}
    pack = read(SealedFile.objects.get().pdf)
    quote_pages = pack_module.page_count(shown["quote"])
    terms_pages = pack_module.page_count(shown["terms"])
    pdfs = {
        "s2_quote_fr": (shown["quote"], 0),
        "s2_terms_fr": (shown["terms"], 0),
        "s2_signed_quote_fr": (pack, quote_pages - 1),
        "s2_certificate_fr": (pack, quote_pages + terms_pages),
        "s2_deposit_invoice_fr": (read(issue_document(engagement, "deposit_invoice", "fr").pdf), 0),
        "s2_final_invoice_fr": (read(issue_document(engagement, "final_invoice", "fr").pdf), 0),
    }
    _s1, s1_link = sent("S1")
    for document in s1_link.link.documents.all():
        pdfs[f"s1_{document.kind}_fr"] = (read(document.pdf), 0)
    for name, (pdf, index) in pdfs.items():
        left, right = ink_columns(pdf, index)
        assert left >= 2.0 - 0.03 and right <= 19.0 + 0.03, (name, left, right)
        png = subprocess.run(["pdftoppm", "-r", "70", "-f", str(index + 1), "-l",
                              str(index + 1), "-png", "-singlefile", "-", str(folder / name)],
                             input=pdf, capture_output=True, check=True)
        assert png.returncode == 0 and (folder / f"{name}.png").stat().st_size > 5000
