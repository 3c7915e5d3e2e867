# ruff: noqa: E501  (the wording tables keep one sentence a line, for reviewable diffs)
"""Builds the default DOCX templates (docxtpl tags) of terms-kit: the reviewable source.

    .venv/bin/python terms_kit/doc_templates/build.py   # rewrites terms_kit/doc_templates/*.docx

Each template is written from the wording tables below (French and English), so a change of
wording is a reviewable diff here. The .docx files are committed too and shipped inside the
package (package data, so an installed terms-kit has them): a person can open and edit them
in Word or LibreOffice; `manage.py termskit lint-template FILE.docx` then checks them.

Tag reminders (docxtpl): ``{{ x }}`` prints an escaped value; ``{%p ... %}`` is a block tag
that stands alone in its paragraph; ``{%tr ... %}`` repeats a table row. Filters: money,
number, percent, date, short_date (babel, in the document's language) and multiline (keeps
line breaks).
"""

import datetime
import io
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from terms_kit.documents.rendering import normalize_docx

HERE = Path(__file__).resolve().parent
FONT = "DejaVu Sans"  # shipped by fonts-dejavu; embedded in the PDF/A

W = {
    "fr": {
        "quote": "Devis",
        "terms": "Conditions générales de vente",
        "certificate": "Certificat d'acceptation",
        "deposit_invoice": "Facture d'acompte",
        "final_invoice": "Facture",
        "milestone_invoice": "Facture d'étape",
        "credit_note": "Avoir",
        "receipt": "Reçu de paiement",
        "deposit_line": "Acompte sur le devis {{ engagement.number }} : {{ engagement.title }}{% if deposit and invoice.incl_vat == deposit.incl_vat %} ({{ deposit.percent|percent }} du prix){% endif %}",
        "deposit_received": "Date de versement de l'acompte : {% if invoice.received_on %}{{ invoice.received_on|date }}{% else %}[à la réception du paiement]{% endif %}",
        "already_billed": "Déjà facturé",
        "of_date": "du",
        "settled": "Facture acquittée le {{ invoice.received_on|date }} : {{ invoice.paid|money }} reçus.",
        "due_date": "Date d'échéance : {{ invoice.due_date|date }}",
        "service_date": "Date de réalisation de la prestation : {{ invoice.date|date }}",
        "category": "Catégorie d'opération : {% if vat.operation_category == 'B' %}livraison de biens{% elif vat.operation_category == 'M' %}mixte (livraison de biens et prestation de services){% else %}prestation de services{% endif %}.",
        "on_debits": "Option pour le paiement de la taxe d'après les débits.",
        "delivery": "Adresse de livraison : {{ vat.delivery_address_lines|join(', ') }}",
        "exempt_base": "base HT",
        "transfer": "Par virement : IBAN {{ invoice.transfer.iban }}{% if invoice.transfer.bic %}, BIC {{ invoice.transfer.bic }}{% endif %}, montant {{ invoice.transfer.amount|money }}, référence à indiquer : {{ invoice.transfer.reference }}. Le QR code ci-dessous remplit le virement dans votre application bancaire.",
        "milestone_for": "Étape : {{ invoice.milestone.label }}",
        "credit_for": "Avoir sur la facture n° {{ invoice.corrects.number }} du {{ invoice.corrects.date|date }}",
        "reason": "Motif : {{ invoice.reason }}",
        "credit_total": "Montant de l'avoir",
        "credit_refund": "Ce montant vous est remboursé ou déduit de ce que vous devez ; il annule la part correspondante de la facture.",
        "receipt_text": "{{ seller.name }} reconnaît avoir reçu de {{ client.name }} la somme de {{ invoice.payment.amount|money }} le {{ invoice.payment.paid_on|date }}, par {% if invoice.payment.method == 'transfer' %}virement{% elif invoice.payment.method == 'cheque' %}chèque{% elif invoice.payment.method == 'cash' %}espèces{% elif invoice.payment.method in ('card_terminal', 'card_online') %}carte bancaire{% else %}autre moyen{% endif %}{% if invoice.payment.reference %} (référence {{ invoice.payment.reference }}){% endif %}.",
        "receipt_for": "Au titre du devis {{ engagement.number }} : {{ engagement.title }}{% if invoice.for_invoices %} ; factures {{ invoice.for_invoices|join(', ') }}{% endif %}.",
        "receipt_note": "Ce reçu n'est pas une facture.",
        "instalment_plan": "Échéancier de paiement",
        "plan_intro": "{{ seller.name }} accorde à {{ client.name }} un échéancier pour régler ce qui reste dû au titre du devis {{ engagement.number }} : {{ engagement.title }}.",
        "plan_date": "Date",
        "plan_invoices": "Factures concernées",
        "plan_invoice": "Facture",
        "plan_left": "Reste dû",
        "plan_debt": "Somme due couverte par l'échéancier : {{ plan.debt|money }} TTC.",
        "plan_instalments": "Échéances",
        "plan_position": "Échéance",
        "plan_due": "Date limite de paiement",
        "plan_total": "Total des échéances : {{ plan.total|money }}",
        "plan_keep": "Tant que chaque échéance est payée à sa date, aucune relance n'est envoyée pour ces factures.",
        "plan_lapse": "Si une échéance n'est pas payée à sa date, l'échéancier devient caduc sans autre formalité : la totalité du solde restant dû redevient exigible et le recouvrement reprend (relances, mise en demeure, procédure), à compter de la date de l'échéance impayée.",
        "plan_pay": "Paiement par virement{% if seller.iban %} : IBAN {{ seller.iban }}{% if seller.bic %}, BIC {{ seller.bic }}{% endif %}{% endif %}, en indiquant la référence {{ plan.number }}.",
        "plan_accept": "Cet échéancier est accepté en ligne par le client (code reçu par e-mail, déclaration cochée, « Bon pour accord ») ; le certificat d'acceptation scellé suit ce document.",
        "number": "Numéro",
        "draft": "brouillon",
        "issued": "Date d'émission",
        "valid_until": "Valable jusqu'au",
        "seller": "Prestataire",
        "client": "Client",
        "ei": "Entrepreneur individuel (EI)",
        "siren": "SIREN",
        "siret": "SIRET",
        "vat_no": "N° TVA intracommunautaire",
        "object": "Objet",
        "deliverables": "Livrables",
        "place": "Lieu d'exécution",
        "dates": "Début prévu",
        "end": "fin prévue",
        "duration": "Durée",
        "description": "Désignation",
        "qty": "Qté",
        "unit": "Unité",
        "unit_price_ht": "PU HT",
        "unit_price": "Prix unitaire",
        "vat": "TVA",
        "amount_ht": "Montant HT",
        "amount": "Montant",
        "discount": "remise",
        "total_ht": "Total HT",
        "vat_at": "TVA à",
        "on": "sur",
        "total_ttc": "Total TTC",
        "total": "Total à payer",
        "franchise": "TVA non applicable, art. 293 B du CGI",
        "payment": "Conditions de paiement",
        "deposit": "à la signature du devis, soit",
        "deposit_word": "Acompte",
        "models": {
            "full_prepayment": "Paiement de la totalité à la commande, avant le début de la prestation.",
            "deposit": "Un acompte à la commande, le solde à la fin de la prestation.",
            "milestones": "Paiement par étapes, chaque étape étant facturée à sa validation.",
            "time_credit": "Crédit d'heures payé à la commande, consommé au fil des séances.",
            "pay_per_act": "Chaque prestation est payée lorsqu'elle est fournie.",
            "preauthorisation": "Empreinte bancaire à la réservation ; le paiement est débité à la fin de la prestation.",
            "on_completion": "Paiement à la fin de la prestation.",
        },
        "milestones": "Échéancier par étapes",
        "milestone": "Étape",
        "validation": "Validation",
        "ttc": "TTC",
        "due": "{% if payment.due_days == 0 %}Paiement à réception de la facture.{% else %}Paiement à {{ payment.due_days }} jour{% if payment.due_days > 1 %}s{% endif %}{% if payment.end_of_month %} fin de mois{% endif %} à compter de la date de facture.{% endif %}",
        "discount_yes": "Escompte de {{ payment.discount_percent|percent }} pour paiement sous {{ payment.discount_days }} jours.",
        "discount_no": "Pas d'escompte pour paiement anticipé.",
        "penalty_rate": "En cas de retard de paiement, des pénalités sont exigibles sans rappel au taux annuel de {{ payment.late_penalty_rate|percent }} (art. L441-10 du Code de commerce).",
        "penalty_default": "En cas de retard de paiement, des pénalités sont exigibles sans rappel au taux de refinancement de la BCE majoré de 10 points (art. L441-10 du Code de commerce).",
        "indemnity": "Indemnité forfaitaire pour frais de recouvrement due en cas de retard : {{ payment.recovery_indemnity|money }} (art. D441-5 du Code de commerce).",
        "time_credit": "Crédit de {{ payment.time_credit_hours|number }} heures valable {{ payment.time_credit_validity_months }} mois. {% if payment.unused_credit == 'kept' %}Les heures non utilisées à la fin de la période de validité restent acquises au prestataire ; en cas de résiliation avant cette date, les heures restantes sont remboursées au prorata.{% else %}En cas de résiliation ou à la fin de la période de validité, les heures non utilisées sont remboursées au prorata dans un délai de 14 jours.{% endif %}",
        "penalty_clause": "Clause pénale : en cas de retard de paiement, après mise en demeure, une pénalité au taux annuel de {{ payment.late_penalty_rate|percent }} est due ; le juge peut la modérer si elle est manifestement excessive (art. 1231-5 du Code civil).",
        "fees": "Honoraires",
        "fees_time": "Honoraires au temps passé, au taux horaire de {{ fees.hourly_rate|money }} HT (art. 10 de la loi n° 71-1130 du 31 décembre 1971).",
        "fees_flat": "Honoraires forfaitaires, tels que chiffrés ci-dessus (art. 10 de la loi n° 71-1130 du 31 décembre 1971).",
        "fees_success": "S'y ajoute un honoraire complémentaire de résultat, qui ne peut être le seul mode de rémunération.",
        "fees_provision": "Provision sur honoraires demandée : {{ fees.provision|money }}.",
        "refund": "Remboursement",
        "cancellation": "Annulation",
        "withdrawal": "Droit de rétractation",
        "withdrawal_text": "Vous disposez d'un délai de {{ rules.withdrawal_days }} jours à compter de la conclusion du contrat pour vous rétracter sans donner de motif (art. L221-18 du Code de la consommation). Pour l'exercer, adressez-nous une déclaration dénuée d'ambiguïté, par exemple au moyen du formulaire ci-dessous, par courrier ou par e-mail à {{ seller.email }}. Nous vous rembourserons dans les 14 jours.",
        "early_start": "Vous avez demandé expressément que la prestation commence avant la fin du délai de rétractation. Si vous vous rétractez après ce début, vous paierez le prix de ce qui a été fourni ; une fois la prestation entièrement exécutée, vous perdez votre droit de rétractation (art. L221-25 et L221-28 du Code de la consommation).",
        "form_title": "Modèle de formulaire de rétractation",
        "form": [
            "(Veuillez compléter et renvoyer le présent formulaire uniquement si vous souhaitez vous rétracter du contrat.)",
            "À l'attention de {{ seller.name }}, {{ seller.address_lines|join(', ') }}, {{ seller.email }} :",
            "Je/Nous (*) vous notifie/notifions (*) par la présente ma/notre (*) rétractation du contrat portant sur la prestation de services ci-dessous :",
            "Commandé le (*) / reçu le (*) :",
            "Nom du (des) consommateur(s) :",
            "Adresse du (des) consommateur(s) :",
            "Signature du (des) consommateur(s) (uniquement en cas de notification du présent formulaire sur papier) :",
            "Date :",
            "(*) Rayez la mention inutile.",
        ],
        "mediator": "Médiation de la consommation",
        "mediator_text": "En cas de litige, vous pouvez recourir gratuitement au médiateur de la consommation : {{ seller.mediator_name }}, {{ seller.mediator_website }}, {{ seller.mediator_address }} (art. L612-1 du Code de la consommation).",
        "insurance": "Assurance professionnelle : {{ seller.insurer }}, contrat {{ seller.insurance_policy }}, couverture {{ seller.insurance_coverage }}.",
        "terms_ref": "Le présent devis est soumis aux {{ terms.title }}{% if terms.version %} (version {{ terms.version }}){% endif %} jointes, que le client déclare avoir lues et acceptées.",
        "version": "Version",
        "fingerprint": "Empreinte SHA-256",
        "bon": "Bon pour accord",
        "sign_date": "Date :",
        "sign_name": "Nom, qualité et signature du client :",
        "annex": "Annexe",
        "pending": "[à compléter lors de l'acceptation]",
        "cert_intro": "Le présent certificat atteste l'acceptation en ligne du devis ci-dessous et des conditions générales de vente qui s'y rapportent.",
        "signer": "Signataire",
        "accepted_at": "Accepté le",
        "ip": "Adresse IP",
        "agent": "Navigateur",
        "doc_hash": "Empreinte du devis accepté",
        "terms_hash": "Empreinte des CGV",
        "consents": "Consentements recueillis",
        "quote_ref": "Devis de référence",
        "invoice_no": "Facture n°",
        "to_assign": "[numéro attribué à l'émission]",
        "invoice_date": "Date de facture",
        "deducted": "Acompte déjà versé",
        "reduction": "Réduction (montant débité inférieur à la pré-autorisation de la carte)",
        "balance": "Net à payer",
        "bank": "Coordonnées bancaires : IBAN {{ seller.iban }}, BIC {{ seller.bic }}",
        "client_ids": "{% if client.siren %}SIREN {{ client.siren }}{% endif %}{% if client.siren and client.vat_number %} · {% endif %}{% if client.vat_number %}N° TVA intracommunautaire {{ client.vat_number }}{% endif %}",
        "attention": "à l'attention de",
        "replaces": "Ce devis remplace le devis n° {{ replaces.number }} du {{ replaces.issue_date|short_date }}, qui n'est plus valable.",
        "signed_block": "{{ acceptance.signer_name }}{% if acceptance.signer_role %}, {{ acceptance.signer_role }}{% endif %} : « {{ acceptance.statement }} », signé électroniquement le {{ acceptance.accepted_at }} (adresse e-mail {{ acceptance.signer_email }} confirmée par un code à usage unique).",
        "signed_record": "Preuve : enregistrement de consentement n° {{ acceptance.record_sequence }}, certificat d'acceptation joint.",
        "signer_role": "Qualité",
        "statement": "Mention",
        "signed_on": "signé électroniquement le",
        "documents_accepted": "Documents acceptés",
        "doc_pages": "{{ d.pages }} page{% if d.pages > 1 %}s{% endif %}",
        "doc_kinds": {"quote": "Devis présenté et accepté", "terms": "Conditions générales de vente"},
        "terms_text_hash": "Empreinte SHA-256 du texte des CGV",
        "terms_url": "Adresse permanente de cette version des CGV",
        "pack_note": "Ce dossier scellé contient, dans l'ordre : le devis revêtu de la mention « Bon pour accord » et des informations de signature, les conditions générales de vente, puis le présent certificat. Le devis tel qu'il a été présenté et accepté est joint au PDF (pièce jointe) ; son empreinte est celle indiquée ci-dessus.",
    },
    "en": {
        "quote": "Quote",
        "terms": "Terms of sale",
        "certificate": "Acceptance certificate",
        "deposit_invoice": "Deposit invoice",
        "final_invoice": "Invoice",
        "milestone_invoice": "Milestone invoice",
        "credit_note": "Credit note",
        "receipt": "Payment receipt",
        "deposit_line": "Deposit on quote {{ engagement.number }}: {{ engagement.title }}{% if deposit and invoice.incl_vat == deposit.incl_vat %} ({{ deposit.percent|percent }} of the price){% endif %}",
        "deposit_received": "Deposit received on: {% if invoice.received_on %}{{ invoice.received_on|date }}{% else %}[on receipt of payment]{% endif %}",
        "already_billed": "Already invoiced",
        "of_date": "of",
        "settled": "Invoice paid on {{ invoice.received_on|date }}: {{ invoice.paid|money }} received.",
        "due_date": "Due date: {{ invoice.due_date|date }}",
        "service_date": "Date the service was performed: {{ invoice.date|date }}",
        "category": "Category of operation: {% if vat.operation_category == 'B' %}supply of goods{% elif vat.operation_category == 'M' %}mixed (supply of goods and services){% else %}supply of services{% endif %}.",
        "on_debits": "VAT paid on debits (option pour le paiement de la taxe d'après les débits).",
        "delivery": "Delivery address: {{ vat.delivery_address_lines|join(', ') }}",
        "exempt_base": "base excl. VAT",
        "transfer": "By bank transfer: IBAN {{ invoice.transfer.iban }}{% if invoice.transfer.bic %}, BIC {{ invoice.transfer.bic }}{% endif %}, amount {{ invoice.transfer.amount|money }}, reference to quote: {{ invoice.transfer.reference }}. The QR code below fills in the transfer in your banking app.",
        "milestone_for": "Milestone: {{ invoice.milestone.label }}",
        "credit_for": "Credit note on invoice no. {{ invoice.corrects.number }} of {{ invoice.corrects.date|date }}",
        "reason": "Reason: {{ invoice.reason }}",
        "credit_total": "Credit note amount",
        "credit_refund": "This amount is refunded to you or deducted from what you owe; it cancels the matching part of the invoice.",
        "receipt_text": "{{ seller.name }} acknowledges receiving from {{ client.name }} the sum of {{ invoice.payment.amount|money }} on {{ invoice.payment.paid_on|date }}, by {% if invoice.payment.method == 'transfer' %}bank transfer{% elif invoice.payment.method == 'cheque' %}cheque{% elif invoice.payment.method == 'cash' %}cash{% elif invoice.payment.method in ('card_terminal', 'card_online') %}card{% else %}other means{% endif %}{% if invoice.payment.reference %} (reference {{ invoice.payment.reference }}){% endif %}.",
        "receipt_for": "For quote {{ engagement.number }}: {{ engagement.title }}{% if invoice.for_invoices %}; invoices {{ invoice.for_invoices|join(', ') }}{% endif %}.",
        "receipt_note": "This receipt is not an invoice.",
        "instalment_plan": "Instalment plan",
        "plan_intro": "{{ seller.name }} grants {{ client.name }} an instalment plan to pay what is still owed under quote {{ engagement.number }}: {{ engagement.title }}.",
        "plan_date": "Date",
        "plan_invoices": "Invoices covered",
        "plan_invoice": "Invoice",
        "plan_left": "Left to pay",
        "plan_debt": "Debt covered by the plan: {{ plan.debt|money }} incl. VAT.",
        "plan_instalments": "Instalments",
        "plan_position": "Instalment",
        "plan_due": "Pay by",
        "plan_total": "Total of the instalments: {{ plan.total|money }}",
        "plan_keep": "As long as each instalment is paid by its date, no reminder is sent about these invoices.",
        "plan_lapse": "If an instalment is not paid by its date, the plan lapses without further notice: the whole remaining balance becomes due at once and recovery resumes (reminders, formal notice, court procedure), counted from the unpaid instalment's due date.",
        "plan_pay": "Pay by bank transfer{% if seller.iban %}: IBAN {{ seller.iban }}{% if seller.bic %}, BIC {{ seller.bic }}{% endif %}{% endif %}, quoting the reference {{ plan.number }}.",
        "plan_accept": "The client accepts this plan online (code received by e-mail, statement ticked, \"Bon pour accord\"); the sealed acceptance certificate follows this document.",
        "number": "Number",
        "draft": "draft",
        "issued": "Issue date",
        "valid_until": "Valid until",
        "seller": "Service provider",
        "client": "Client",
        "ei": "Sole trader (entrepreneur individuel, EI)",
        "siren": "SIREN",
        "siret": "SIRET",
        "vat_no": "VAT number",
        "object": "Subject",
        "deliverables": "Deliverables",
        "place": "Place of performance",
        "dates": "Planned start",
        "end": "planned end",
        "duration": "Duration",
        "description": "Description",
        "qty": "Qty",
        "unit": "Unit",
        "unit_price_ht": "Unit price excl. VAT",
        "unit_price": "Unit price",
        "vat": "VAT",
        "amount_ht": "Amount excl. VAT",
        "amount": "Amount",
        "discount": "discount",
        "total_ht": "Total excl. VAT",
        "vat_at": "VAT at",
        "on": "on",
        "total_ttc": "Total incl. VAT",
        "total": "Total to pay",
        "franchise": "VAT not applicable, art. 293 B of the French tax code (TVA non applicable, art. 293 B du CGI)",
        "payment": "Payment terms",
        "deposit": "on signing the quote, that is",
        "deposit_word": "Deposit",
        "models": {
            "full_prepayment": "Full payment on ordering, before the service starts.",
            "deposit": "A deposit on ordering, the balance at the end of the service.",
            "milestones": "Payment by milestones, each invoiced when it is validated.",
            "time_credit": "Time credit paid on ordering, used session by session.",
            "pay_per_act": "Each service is paid when it is provided.",
            "preauthorisation": "Card pre-authorised on booking; the payment is taken when the service ends.",
            "on_completion": "Payment at the end of the service.",
        },
        "milestones": "Milestone schedule",
        "milestone": "Milestone",
        "validation": "Validation",
        "ttc": "incl. VAT",
        "due": "{% if payment.due_days == 0 %}Payment on receipt of the invoice.{% else %}Payment within {{ payment.due_days }} day{% if payment.due_days != 1 %}s{% endif %}{% if payment.end_of_month %} end of month{% endif %} from the invoice date.{% endif %}",
        "discount_yes": "Discount of {{ payment.discount_percent|percent }} for payment within {{ payment.discount_days }} days.",
        "discount_no": "No discount for early payment.",
        "penalty_rate": "Late payment bears penalties, due without reminder, at the annual rate of {{ payment.late_penalty_rate|percent }} (French Commercial Code, art. L441-10).",
        "penalty_default": "Late payment bears penalties, due without reminder, at the ECB refinancing rate plus 10 points (French Commercial Code, art. L441-10).",
        "indemnity": "Fixed indemnity for recovery costs due on late payment: {{ payment.recovery_indemnity|money }} (French Commercial Code, art. D441-5).",
        "time_credit": "Credit of {{ payment.time_credit_hours|number }} hours valid for {{ payment.time_credit_validity_months }} months. {% if payment.unused_credit == 'kept' %}Hours not used by the end of the validity period are kept by the provider; if the contract is cancelled before then, the hours left are refunded pro rata.{% else %}On cancellation or at the end of the validity period, unused hours are refunded pro rata within 14 days.{% endif %}",
        "penalty_clause": "Penalty clause: on late payment, after a formal notice, a penalty at the annual rate of {{ payment.late_penalty_rate|percent }} is due; a judge may reduce it if it is manifestly excessive (French Civil Code, art. 1231-5).",
        "fees": "Fees",
        "fees_time": "Fees for time spent, at the hourly rate of {{ fees.hourly_rate|money }} excl. VAT (French Law 71-1130 of 31 December 1971, art. 10).",
        "fees_flat": "Flat fee, as priced above (French Law 71-1130 of 31 December 1971, art. 10).",
        "fees_success": "A complementary fee on the result obtained is added; it can never be the only fee.",
        "fees_provision": "Provision on fees requested: {{ fees.provision|money }}.",
        "refund": "Refunds",
        "cancellation": "Cancellation",
        "withdrawal": "Right of withdrawal",
        "withdrawal_text": "You have {{ rules.withdrawal_days }} days from the conclusion of the contract to withdraw without giving any reason (French Consumer Code, art. L221-18). To exercise it, send us a clear statement, for example with the form below, by post or by e-mail to {{ seller.email }}. We will refund you within 14 days.",
        "early_start": "You expressly asked for the service to start before the end of the withdrawal period. If you withdraw after it has started, you will pay for what has been provided; once the service is fully performed, you lose your right of withdrawal (French Consumer Code, art. L221-25 and L221-28).",
        "form_title": "Model withdrawal form",
        "form": [
            "(Complete and return this form only if you wish to withdraw from the contract.)",
            "To {{ seller.name }}, {{ seller.address_lines|join(', ') }}, {{ seller.email }}:",
            "I/We (*) hereby give notice that I/We (*) withdraw from my/our (*) contract for the provision of the following service:",
            "Ordered on (*) / received on (*):",
            "Name of consumer(s):",
            "Address of consumer(s):",
            "Signature of consumer(s) (only if this form is notified on paper):",
            "Date:",
            "(*) Delete as appropriate.",
        ],
        "mediator": "Consumer mediation",
        "mediator_text": "In case of dispute you may refer, free of charge, to the consumer mediator: {{ seller.mediator_name }}, {{ seller.mediator_website }}, {{ seller.mediator_address }} (French Consumer Code, art. L612-1).",
        "insurance": "Professional insurance: {{ seller.insurer }}, policy {{ seller.insurance_policy }}, coverage {{ seller.insurance_coverage }}.",
        "terms_ref": "This quote is subject to the attached {{ terms.title }}{% if terms.version %} (version {{ terms.version }}){% endif %}, which the client declares having read and accepted.",
        "version": "Version",
        "fingerprint": "SHA-256 fingerprint",
        "bon": "Bon pour accord (approved)",
        "sign_date": "Date:",
        "sign_name": "Client's name, position and signature:",
        "annex": "Annex",
        "pending": "[to be completed on acceptance]",
        "cert_intro": "This certificate records the online acceptance of the quote below and of the terms of sale it refers to.",
        "signer": "Signed by",
        "accepted_at": "Accepted on",
        "ip": "IP address",
        "agent": "Browser",
        "doc_hash": "Fingerprint of the accepted quote",
        "terms_hash": "Fingerprint of the terms of sale",
        "consents": "Consents collected",
        "quote_ref": "Reference quote",
        "invoice_no": "Invoice no.",
        "to_assign": "[number given on issue]",
        "invoice_date": "Invoice date",
        "deducted": "Deposit already paid",
        "reduction": "Reduction (amount charged below the card pre-authorisation)",
        "balance": "Balance due",
        "bank": "Bank details: IBAN {{ seller.iban }}, BIC {{ seller.bic }}",
        "client_ids": "{% if client.siren %}SIREN {{ client.siren }}{% endif %}{% if client.siren and client.vat_number %} · {% endif %}{% if client.vat_number %}VAT no. {{ client.vat_number }}{% endif %}",
        "attention": "for the attention of",
        "replaces": "This quote replaces quote no. {{ replaces.number }} of {{ replaces.issue_date|short_date }}, which is no longer valid.",
        "signed_block": "{{ acceptance.signer_name }}{% if acceptance.signer_role %}, {{ acceptance.signer_role }}{% endif %}: \u201c{{ acceptance.statement }}\u201d, signed electronically on {{ acceptance.accepted_at }} (e-mail address {{ acceptance.signer_email }} confirmed with a one-time code).",
        "signed_record": "Proof: consent record no. {{ acceptance.record_sequence }}, acceptance certificate attached.",
        "signer_role": "Role",
        "statement": "Statement",
        "signed_on": "signed electronically on",
        "documents_accepted": "Documents accepted",
        "doc_pages": "{{ d.pages }} page{% if d.pages != 1 %}s{% endif %}",
        "doc_kinds": {"quote": "Quote as shown and accepted", "terms": "Terms of sale"},
        "terms_text_hash": "SHA-256 fingerprint of the terms text",
        "terms_url": "Permanent address of this version of the terms",
        "pack_note": "This sealed pack holds, in this order: the quote bearing the \u201cBon pour accord\u201d statement and the signature details, the terms of sale, then this certificate. The quote as shown and accepted is attached to the PDF (file attachment); its fingerprint is the one given above.",
    },
}


# Formal notice (mise en demeure) and recourse summary (terms_kit/dunning/): their own table,
# merged into W below, so the dunning wording reads in one place.
DUNNING_W = {
    "fr": {
        "formal_notice": "Mise en demeure",
        "recourse_summary": "Dossier de recouvrement : synthèse",
        "creditor": "Créancier",
        "notice_date": "Date",
        "debtor": "Débiteur",
        "notice_sent": "Envoyée par courrier électronique avec preuve d'envoi ; à imprimer pour un envoi en lettre recommandée avec accusé de réception.",
        "notice_subject": "Objet : mise en demeure de payer, devis {{ engagement.number }} ({{ engagement.title }})",
        "notice_intro": "Madame, Monsieur, malgré nos relances, les factures ci-dessous restent impayées à ce jour :",
        "inv_number": "Facture",
        "inv_date": "Date",
        "inv_due": "Échéance",
        "inv_amount": "Montant TTC",
        "inv_paid": "Reçu",
        "inv_unpaid": "Reste dû",
        "payments_title": "Paiements reçus, déduits ci-dessus :",
        "payment_line": "{{ pay.date|date }} : {{ pay.amount|money }} (facture {{ pay.invoice }})",
        "no_payment": "Aucun paiement reçu sur ces factures.",
        "interest_b2b": "Pénalités de retard dues sans rappel depuis le lendemain de chaque échéance (art. L441-10 du Code de commerce), calculées au {{ notice.date|date }} : montant TTC restant dû × taux × jours / 365.",
        "line_invoice": "Facture et période",
        "line_base": "Base",
        "line_rate": "Taux annuel",
        "line_days": "Jours",
        "line_amount": "Montant (non arrondi)",
        "line_period": "{{ line.invoice }} : du {{ line.start|date }} au {{ line.end|date }}",
        "interest_total": "Pénalités de retard (arrondies une fois par facture, au centime) : {{ notice.interest|money }}",
        "indemnity_line": "Indemnité forfaitaire pour frais de recouvrement (art. L441-10 et D441-5 du Code de commerce) : {{ notice.indemnity_each|money }} par facture payée en retard, soit {{ notice.indemnity|money }}",
        "interest_consumer": "Des intérêts au taux de l'intérêt légal ({{ notice.legal_rate|percent }} par an) courent sur le montant restant dû à compter de la présente mise en demeure (art. 1231-6 et 1344-1 du Code civil).",
        "interest_consumer_accrued": "Intérêts au taux légal courus depuis la première mise en demeure : {{ notice.interest|money }}",
        "total_claimed": "Montant total réclamé : {{ notice.total|money }}",
        "demand": "En conséquence, nous vous mettons en demeure de nous régler la somme de {{ notice.total|money }} dans un délai de {{ notice.deadline_days }} jours à compter de la réception de la présente, soit au plus tard le {{ notice.deadline_date|date }}.",
        "next_ip": "À défaut de paiement dans ce délai, nous saisirons sans autre avis la juridiction compétente d'une requête en injonction de payer (art. 1405 et suivants du Code de procédure civile), les frais restant à votre charge dans la mesure permise par la loi.",
        "next_small": "À défaut de paiement dans ce délai, la créance n'excédant pas {{ notice.small_claims_limit|money }}, nous engagerons la procédure simplifiée de recouvrement des petites créances auprès d'un commissaire de justice (art. L125-1 du Code des procédures civiles d'exécution), ou saisirons la juridiction compétente d'une requête en injonction de payer (art. 1405 et suivants du Code de procédure civile).",
        "legal_value": "La présente vaut mise en demeure au sens de l'article 1344 du Code civil.",
        "pay_to": "Règlement par virement : IBAN {{ seller.iban }}, BIC {{ seller.bic }}, en rappelant la référence {{ notice.number }}.",
        "signature": "Fait le {{ notice.date|date }}, pour {{ seller.name }}.",
        "rs_claim": "Créance",
        "rs_procedure": "Procédure conseillée : {{ recourse.procedure_label }}",
        "rs_court": "Juridiction ou intervenant : {{ recourse.court }}",
        "rs_cerfa": "Formulaire : Cerfa n° {{ recourse.cerfa }}",
        "rs_claim_total": "Montant de la créance, intérêts compris, au {{ recourse.date|date }} : {{ recourse.claim_total|money }}",
        "rs_notice": "Mise en demeure {{ recourse.notice_number }} du {{ recourse.notice_date|date }}.",
        "rs_no_notice": "Aucune mise en demeure n'a été émise : envoyez-en une avant toute procédure.",
        "rs_prescription": "Prescription ({{ recourse.prescription_years }} ans, comptés depuis la plus ancienne des dates d'achèvement, de facture et d'échéance ; une mise en demeure ne l'interrompt pas) : {{ recourse.prescription_date|date }}",
        "rs_warnings": "Points d'attention :",
        "rs_pieces": "Pièces du dossier (empreinte SHA-256) :",
        "rs_piece": "{{ piece.name }} : {{ piece.what }} ({{ piece.sha256 }})",
        "rs_note": "Cette synthèse prépare la démarche ; elle ne remplace pas le formulaire officiel ni le conseil d'un professionnel du droit.",
    },
    "en": {
        "formal_notice": "Formal notice (mise en demeure)",
        "recourse_summary": "Recovery file: summary",
        "creditor": "Creditor",
        "notice_date": "Date",
        "debtor": "Debtor",
        "notice_sent": "Sent by e-mail with proof of sending; print it for a registered letter with acknowledgement of receipt.",
        "notice_subject": "Subject: formal notice to pay, quote {{ engagement.number }} ({{ engagement.title }})",
        "notice_intro": "Dear Sir or Madam, despite our reminders, the invoices below remain unpaid to date:",
        "inv_number": "Invoice",
        "inv_date": "Date",
        "inv_due": "Due",
        "inv_amount": "Amount incl. VAT",
        "inv_paid": "Received",
        "inv_unpaid": "Left to pay",
        "payments_title": "Payments received, deducted above:",
        "payment_line": "{{ pay.date|date }}: {{ pay.amount|money }} (invoice {{ pay.invoice }})",
        "no_payment": "No payment has been received on these invoices.",
        "interest_b2b": "Late-payment penalties, due without reminder from the day after each due date (French Commercial Code, art. L441-10), computed on {{ notice.date|date }}: unpaid amount incl. VAT × rate × days / 365.",
        "line_invoice": "Invoice and period",
        "line_base": "Base",
        "line_rate": "Annual rate",
        "line_days": "Days",
        "line_amount": "Amount (unrounded)",
        "line_period": "{{ line.invoice }}: {{ line.start|date }} to {{ line.end|date }}",
        "interest_total": "Late-payment penalties (rounded once per invoice, to the cent): {{ notice.interest|money }}",
        "indemnity_line": "Fixed indemnity for recovery costs (French Commercial Code, art. L441-10 and D441-5): {{ notice.indemnity_each|money }} per invoice paid late, that is {{ notice.indemnity|money }}",
        "interest_consumer": "Interest at the legal rate ({{ notice.legal_rate|percent }} a year) runs on the amount left to pay from this formal notice (French Civil Code, art. 1231-6 and 1344-1).",
        "interest_consumer_accrued": "Interest at the legal rate since the first formal notice: {{ notice.interest|money }}",
        "total_claimed": "Total claimed: {{ notice.total|money }}",
        "demand": "We therefore give you formal notice to pay us {{ notice.total|money }} within {{ notice.deadline_days }} days of receiving this letter, that is by {{ notice.deadline_date|date }} at the latest.",
        "next_ip": "Failing payment within that period, we will apply without further notice to the competent court for an order for payment (injonction de payer, French Code of Civil Procedure, art. 1405 ff.), the costs being borne by you as far as the law allows.",
        "next_small": "Failing payment within that period, the claim being no more than {{ notice.small_claims_limit|money }}, we will start the simplified small-claims recovery procedure through a commissaire de justice (French Code of Civil Enforcement Procedures, art. L125-1), or apply to the competent court for an order for payment (injonction de payer, French Code of Civil Procedure, art. 1405 ff.).",
        "legal_value": "This letter is a formal notice within the meaning of article 1344 of the French Civil Code.",
        "pay_to": "Payment by bank transfer: IBAN {{ seller.iban }}, BIC {{ seller.bic }}, quoting reference {{ notice.number }}.",
        "signature": "Done on {{ notice.date|date }}, for {{ seller.name }}.",
        "rs_claim": "Claim",
        "rs_procedure": "Suggested procedure: {{ recourse.procedure_label }}",
        "rs_court": "Court or officer: {{ recourse.court }}",
        "rs_cerfa": "Form: Cerfa no. {{ recourse.cerfa }}",
        "rs_claim_total": "Claim incl. interest on {{ recourse.date|date }}: {{ recourse.claim_total|money }}",
        "rs_notice": "Formal notice {{ recourse.notice_number }} of {{ recourse.notice_date|date }}.",
        "rs_no_notice": "No formal notice has been issued: send one before any procedure.",
        "rs_prescription": "Limitation ({{ recourse.prescription_years }} years, counted from the earliest of completion, invoice and due dates; a formal notice does not interrupt it): {{ recourse.prescription_date|date }}",
        "rs_warnings": "Points to watch:",
        "rs_pieces": "Documents in the file (SHA-256 fingerprint):",
        "rs_piece": "{{ piece.name }}: {{ piece.what }} ({{ piece.sha256 }})",
        "rs_note": "This summary prepares the application; it does not replace the official form nor a lawyer's advice.",
    },
}
for _lang, _wording in DUNNING_W.items():
    W[_lang].update(_wording)


def q(text):
    """A Jinja string literal (double quotes: the French wording has apostrophes)."""
    return '"' + text + '"'


# A4 (21 cm) less 2 cm margins each side (17 cm), less the indent that puts the left border on
# the margin (indent_table): the table then ends on the right margin.
TEXT_WIDTH_CM = 16.8
CELL_PADDING_TWIPS = 108  # Word's default left/right cell margin (0.19 cm)


def indent_table(table):
    """Put the table's left border on the text margin: without an indent LibreOffice draws it
    one cell padding to the left of the margin, so the table overhangs the page's text."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = table._tbl.tblPr
    for old in properties.findall(qn("w:tblInd")):
        properties.remove(old)
    indent = OxmlElement("w:tblInd")
    indent.set(qn("w:w"), str(CELL_PADDING_TWIPS))
    indent.set(qn("w:type"), "dxa")
    properties.append(indent)


class Writer:
    """A thin layer over python-docx: one call a paragraph, tags on their own paragraphs."""

    def __init__(self):
        self.doc = Document()
        style = self.doc.styles["Normal"]
        style.font.name = FONT
        style.font.size = Pt(9.5)
        style.paragraph_format.space_after = Pt(3)
        style.paragraph_format.line_spacing = 1.1
        for name in ("Title", "Heading 1", "Heading 2"):
            self.doc.styles[name].font.name = FONT
        section = self.doc.sections[0]
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.left_margin = section.right_margin = Cm(2)
        section.top_margin = section.bottom_margin = Cm(1.8)

    def p(self, text, bold=False, align=None):
        paragraph = self.doc.add_paragraph()
        paragraph.add_run(text).bold = bold
        if align == "right":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        return paragraph

    def tag(self, tag):
        self.doc.add_paragraph(f"{{%p {tag} %}}")

    def h(self, text, level=1):
        self.doc.add_heading(text, level=level)

    def table(self, header, row, loop=None, footer=(), widths=None):
        """A table: a header, then ``row`` repeated by ``loop`` (a {%tr for %}), then footers.

        ``widths`` (cm, summing to at most TEXT_WIDTH_CM) gives figures the room an amount
        such as "14 400,00 €" needs on one line; columns whose header is a figure are
        right-aligned."""
        table = self.doc.add_table(rows=0, cols=len(header))
        table.style = "Table Grid"
        indent_table(table)

        def add(cells, bold=False):
            for cell, text in zip(table.add_row().cells, cells, strict=True):
                cell.paragraphs[0].add_run(text).bold = bold

        table.autofit = False
        add(header, bold=True)
        if loop:
            add([f"{{%tr {loop} %}}"] + [""] * (len(header) - 1))
        add(row)
        if loop:
            add(["{%tr endfor %}"] + [""] * (len(header) - 1))
        for cells in footer:
            add(cells, bold=True)
        # The first column (description, label) gets the room; the figures share the rest.
        if widths is None:
            other = (TEXT_WIDTH_CM - 6.0) / (len(header) - 1)
            widths = [6.0] + [other] * (len(header) - 1)
        assert len(widths) == len(header) and sum(widths) <= TEXT_WIDTH_CM + 0.01, widths
        for index, column in enumerate(table.columns):
            column.width = Cm(widths[index])  # the grid LibreOffice lays out
        for row in table.rows:
            for index, cell in enumerate(row.cells):
                cell.width = Cm(widths[index])
        return table

    def save(self, path):
        self.doc.save(path)


def parties(w, t, client_ids=False):
    w.p("{{ seller.name }}", bold=True)
    w.tag("if rules.sole_trader")
    w.p(t["ei"])
    w.tag("endif")
    w.tag("if seller.trade_name")
    w.p("{{ seller.trade_name }}")
    w.tag("endif")
    w.p("{{ seller.address_lines|join(', ') }}")
    w.p(f"{t['siren']} {{{{ seller.siren }}}}{{% if seller.siret %}} · {t['siret']} {{{{ seller.siret }}}}{{% endif %}}"
        f"{{% if seller.vat_number %}} · {t['vat_no']} {{{{ seller.vat_number }}}}{{% endif %}}")
    w.p("{{ seller.email }}{% if seller.phone %} · {{ seller.phone }}{% endif %}")
    w.p(f"{t['client']} :" if w.lang == "fr" else f"{t['client']}:", bold=True, align="right")
    w.p("{{ client.name }}{% if client.contact_name and client.contact_name != client.name %}, "
        + t["attention"] + " {{ client.contact_name }}{% endif %}", align="right")
    w.p("{{ client.address_lines|join(', ') }}", align="right")
    if client_ids:
        w.tag("if client.siren or client.vat_number")
        w.p(t["client_ids"], align="right")
        w.tag("endif")


def heading_block(w, t, kind, number_expr):
    w.doc.add_heading(t[kind], level=0)
    w.p(f"{t['number']} : {number_expr}" if w.lang == "fr" else f"{t['number']}: {number_expr}")


def lines_table(w, t):
    w.tag("if rules.vat_lines")
    w.table(
        [t["description"], t["qty"], t["unit"], t["unit_price_ht"], t["vat"], t["amount_ht"]],
        ["{{ line.description }}{% if line.discount_percent %} (" + t["discount"]
         + " {{ line.discount_percent|percent }}){% endif %}",
         "{{ line.quantity|number }}", "{{ line.unit }}", "{{ line.unit_price|money }}",
         "{% if line.vat_exemption %}{{ line.vat_label }}{% else %}{{ line.vat_rate|percent }}{% endif %}",
         "{{ line.net|money }}"],
        loop="for line in lines", widths=[5.6, 1.3, 1.9, 3.0, 1.9, 3.1],
    )
    w.p(f"{t['total_ht']} : {{{{ totals.excl_vat|money }}}}" if w.lang == "fr"
        else f"{t['total_ht']}: {{{{ totals.excl_vat|money }}}}", align="right")
    w.tag("for row in totals.breakdown")
    # A row without VAT prints its legal reason, never "TVA à 0 %" (CGI ann. II 242 nonies A).
    # The full mention follows the totals once (vat_mentions), so the row names it shortly.
    w.p(f"{{% if row.exemption %}}{{{{ row.short }}}} ({t['exempt_base']} {{{{ row.base|money }}}})"
        f"{{% else %}}{t['vat_at']} {{{{ row.rate|percent }}}} {t['on']} {{{{ row.base|money }}}} : {{{{ row.vat|money }}}}{{% endif %}}",
        align="right")
    w.tag("endfor")
    w.p(f"{t['total_ttc']} : {{{{ totals.incl_vat|money }}}}", bold=True, align="right")
    vat_mentions(w)
    w.tag("else")
    w.table(
        [t["description"], t["qty"], t["unit"], t["unit_price"], t["amount"]],
        ["{{ line.description }}{% if line.discount_percent %} (" + t["discount"]
         + " {{ line.discount_percent|percent }}){% endif %}",
         "{{ line.quantity|number }}", "{{ line.unit }}", "{{ line.unit_price|money }}",
         "{{ line.net|money }}"],
        loop="for line in lines", widths=[6.5, 1.3, 2.0, 3.4, 3.6],
    )
    w.p(f"{t['total']} : {{{{ totals.incl_vat|money }}}}", bold=True, align="right")
    w.p(t["franchise"], align="right")
    w.tag("endif")


def vat_mentions(w):
    """The legal reason of each kind of line without VAT (exemption, reverse charge, client
    outside the EU), once each: terms_kit/vat/treatments.py."""
    w.tag("for mention in vat.mentions")
    w.p("{{ mention }}", align="right")
    w.tag("endfor")


def b2b_terms(w, t):
    w.tag("if rules.b2b_terms")
    w.tag("if payment.due_days is not none")
    w.p(t["due"])
    w.tag("endif")
    w.tag("if payment.discount_percent")
    w.p(t["discount_yes"])
    w.tag("else")
    w.p(t["discount_no"])
    w.tag("endif")
    w.tag("if payment.late_penalty_rate")
    w.p(t["penalty_rate"])
    w.tag("else")
    w.p(t["penalty_default"])
    w.tag("endif")
    w.p(t["indemnity"])
    w.tag("endif")
    # C. civ. 1231-5: a rate agreed with a consumer is printed as a penalty clause, never
    # dropped (the checker's b2c.penalty_clause says the same).
    w.tag("if rules.penalty_clause")
    w.p(t["penalty_clause"])
    w.tag("endif")


def fees_block(w, t):
    """Loi 71-1130 art. 10: a lawyer's fee agreement states how the fees are set."""
    w.tag("if rules.fee_agreement")
    w.h(t["fees"])
    w.tag('if fees.basis == "time_spent"')
    w.p(t["fees_time"])
    w.tag("endif")
    w.tag('if fees.basis == "flat_fee"')
    w.p(t["fees_flat"])
    w.tag("endif")
    w.tag("if fees.success_fee")
    w.p(t["fees_success"])
    w.tag("endif")
    w.tag("if fees.provision")
    w.p(t["fees_provision"])
    w.tag("endif")
    w.tag("endif")


def payment_block(w, t):
    w.h(t["payment"])
    for model, sentence in t["models"].items():
        w.tag(f'if payment.model == "{model}"')
        w.p(sentence)
        w.tag("endif")
    w.tag("if deposit")
    w.p(f"{{{{ deposit.label|capitalize if deposit.label else {q(t['deposit_word'])} }}}} "
        f"{{{{ deposit.percent|percent }}}} {t['deposit']} {{{{ deposit.incl_vat|money }}}}.")
    w.tag("endif")
    w.tag("if milestones")
    w.p(t["milestones"], bold=True)
    w.table(
        [t["milestone"], t["deliverables"], t["validation"], t["amount_ht"], t["ttc"]],
        ["{{ m.label }}", "{{ m.deliverable }}", "{{ m.validation }}", "{{ m.amount|money }}",
         "{{ m.incl_vat|money if m.incl_vat is not none else '' }}"],
        loop="for m in milestones", widths=[3.8, 3.6, 3.6, 2.9, 2.9],
    )
    w.tag("endif")
    w.tag("if payment.time_credit_hours")
    w.p(t["time_credit"])
    w.tag("endif")
    b2b_terms(w, t)


def withdrawal_block(w, t):
    w.tag("if rules.withdrawal")
    w.h(t["withdrawal"])
    w.p(t["withdrawal_text"])
    w.tag("if rules.early_start")
    w.p(t["early_start"])
    w.tag("endif")
    w.h(t["form_title"], level=2)
    for line in t["form"]:
        w.p(line)
    w.tag("endif")


def mediator_block(w, t):
    w.tag("if rules.mediator")
    w.h(t["mediator"])
    w.p(t["mediator_text"])
    w.tag("endif")


def build_quote(w, t):
    heading_block(w, t, "quote", f"{{{{ engagement.number or {q(t['draft'])} }}}}")
    w.p(f"{t['issued']} : {{{{ engagement.issue_date|date }}}}{{% if engagement.validity_date %}} · "
        f"{t['valid_until']} {{{{ engagement.validity_date|date }}}}{{% endif %}}")
    w.tag("if replaces")
    w.p(t["replaces"], bold=True)
    w.tag("endif")
    parties(w, t, client_ids=True)
    w.h(t["object"])
    w.p("{{ engagement.title }}", bold=True)
    w.p("{{ engagement.service_description|multiline }}")
    w.tag("if engagement.deliverables")
    w.p(f"{t['deliverables']} : {{{{ engagement.deliverables|multiline }}}}")
    w.tag("endif")
    w.tag("if engagement.place")
    w.p(f"{t['place']} : {{{{ engagement.place }}}}")
    w.tag("endif")
    w.tag("if engagement.start_date")
    w.p(f"{t['dates']} : {{{{ engagement.start_date|date }}}}{{% if engagement.end_date %}}, {t['end']} "
        f"{{{{ engagement.end_date|date }}}}{{% endif %}}{{% if engagement.duration %}} · {t['duration']} : "
        f"{{{{ engagement.duration }}}}{{% endif %}}")
    w.tag("endif")
    lines_table(w, t)
    fees_block(w, t)
    payment_block(w, t)
    w.tag("if engagement.refund_terms")
    w.p(f"{t['refund']} : {{{{ engagement.refund_terms|multiline }}}}")
    w.tag("endif")
    w.tag("if engagement.cancellation_terms")
    w.p(f"{t['cancellation']} : {{{{ engagement.cancellation_terms|multiline }}}}")
    w.tag("endif")
    w.tag("if seller.insurer")
    w.p(t["insurance"])
    w.tag("endif")
    w.tag("if terms")
    w.p(t["terms_ref"])
    w.tag("endif")
    mediator_block(w, t)
    withdrawal_block(w, t)
    w.h(t["bon"])
    # In the signed pack (services/acceptance.py) the block carries the signature; the
    # quote sent to the client leaves it blank, to be signed.
    w.tag("if acceptance")
    w.p(f"{t['sign_date']} {{{{ acceptance.signed_on|date }}}}")
    w.p(t["sign_name"])
    w.p(t["signed_block"], bold=True)
    w.p(t["signed_record"])
    w.tag("else")
    w.p(t["sign_date"])
    w.p(t["sign_name"])
    w.p("")
    w.p("")
    w.tag("endif")


def build_terms(w, t):
    w.doc.add_heading("{{ terms.title }}", level=0)
    w.p(f"{t['version']} {{{{ terms.version or {q(t['draft'])} }}}}")
    w.p("{{ seller.name }}{% if rules.sole_trader %}, " + t["ei"] + "{% endif %} · "
        + t["siren"] + " {{ seller.siren }} · {{ seller.address_lines|join(', ') }} · {{ seller.email }}")
    w.tag("if rules.vat_franchise")
    w.p(t["franchise"])
    w.tag("endif")
    w.tag("for section in terms.sections")
    w.tag("if section.title")
    w.h("{{ section.title }}", level=2)
    w.tag("endif")
    w.tag("for paragraph in section.paragraphs")
    w.p("{{ paragraph }}")
    w.tag("endfor")
    w.tag("endfor")
    mediator_block(w, t)
    withdrawal_block(w, t)
    w.tag("if terms.content_hash")
    w.p(f"{t['fingerprint']} : {{{{ terms.content_hash }}}}")
    w.tag("endif")


def build_certificate(w, t):
    heading_block(w, t, "certificate", f"{{{{ engagement.number or {q(t['draft'])} }}}}")
    w.p(t["cert_intro"])
    parties(w, t)
    w.p(f"{t['quote_ref']} : {{{{ engagement.number or {q(t['draft'])} }}}} · {{{{ engagement.title }}}} · {t['total_ttc']} "
        "{{ totals.incl_vat|money }}")
    w.tag("if terms")
    w.p(f"{t['terms']} : « {{{{ terms.title }}}} », {t['version'].lower()} {{{{ terms.version or {q(t['draft'])} }}}}" if w.lang == "fr"
        else f"{t['terms']}: \u201c{{{{ terms.title }}}}\u201d, {t['version'].lower()} {{{{ terms.version or {q(t['draft'])} }}}}")
    w.tag("endif")
    w.tag("if acceptance")
    w.p(f"{t['signer']} : {{{{ acceptance.signer_name }}}}{{% if acceptance.signer_role %}}, {{{{ acceptance.signer_role }}}}{{% endif %}} <{{{{ acceptance.signer_email }}}}>")
    w.tag("if acceptance.statement")
    w.p(f"{t['statement']} : « {{{{ acceptance.statement }}}} », {t['signed_on']} {{{{ acceptance.accepted_at }}}}" if w.lang == "fr"
        else f"{t['statement']}: \u201c{{{{ acceptance.statement }}}}\u201d, {t['signed_on']} {{{{ acceptance.accepted_at }}}}")
    w.tag("else")
    w.p(f"{t['accepted_at']} : {{{{ acceptance.accepted_at }}}}")
    w.tag("endif")
    w.p(f"{t['ip']} : {{{{ acceptance.ip_address or '-' }}}} · {t['agent']} : {{{{ acceptance.user_agent or '-' }}}}")
    w.tag("if acceptance.documents")
    w.p(t["documents_accepted"], bold=True)
    w.tag("for d in acceptance.documents")
    kinds = t["doc_kinds"]
    w.p("{% if d.kind == 'quote' %}" + kinds["quote"] + "{% elif d.kind == 'terms' %}" + kinds["terms"]
        + "{% else %}{{ d.kind }}{% endif %} (PDF, " + t["doc_pages"] + ") : SHA-256 {{ d.sha256 }}")
    w.tag("endfor")
    w.tag("else")
    w.p(f"{t['doc_hash']} : {{{{ acceptance.document_sha256 }}}}")
    w.tag("endif")
    w.tag("if acceptance.terms_sha256")
    w.p(f"{t['terms_text_hash']} : {{{{ acceptance.terms_sha256 }}}}")
    w.tag("endif")
    # The terms page's /v/<n>/ address, when a live terms page publishes the version.
    w.tag("if acceptance.terms_url")
    w.p(f"{t['terms_url']} : {{{{ acceptance.terms_url }}}}")
    w.tag("endif")
    w.p(t["consents"], bold=True)
    w.tag("for consent in acceptance.consents")
    w.p("☑ {{ consent }}")
    w.tag("endfor")
    w.tag("if acceptance.documents")
    w.p(t["pack_note"])
    w.tag("endif")
    w.tag("else")
    for key in ("signer", "accepted_at", "ip", "doc_hash", "consents"):
        w.p(f"{t[key]} : {t['pending']}")
    w.tag("endif")


def invoice_header(w, t, kind):
    heading_block(w, t, kind, f"{{{{ invoice.number or {q(t['to_assign'])} }}}}")
    w.p(f"{t['invoice_date']} : {{% if invoice.date %}}{{{{ invoice.date|date }}}}{{% else %}}{t['to_assign'].replace('numéro', 'date').replace('number', 'date')}{{% endif %}} · "
        f"{t['quote_ref']} : {{{{ engagement.number }}}}")
    parties(w, t, client_ids=True)


def invoice_footer(w, t):
    w.tag("if invoice.due_date")
    w.p(t["due_date"], bold=True)
    w.tag("endif")
    b2b_terms(w, t)
    einvoicing_mentions(w, t)
    w.tag("if invoice.transfer")
    w.p(t["transfer"])
    w.p("[[EPC_QR]]")
    w.tag("elif seller.iban")
    w.p(t["bank"])
    w.tag("endif")


def einvoicing_mentions(w, t):
    """Décret 2022-1299: category of the operation, VAT on debits when opted, delivery address
    when it is not the client's (terms_kit/vat/einvoicing.py)."""
    w.p(t["category"])
    w.tag("if vat.on_debits")
    w.p(t["on_debits"])
    w.tag("endif")
    w.tag("if vat.delivery_address_lines")
    w.p(t["delivery"])
    w.tag("endif")


def amounts_table(w, t, total_label="total_ttc"):
    """What the invoice covers: one row per VAT rate, then its totals (or the franchise)."""
    w.tag("if rules.vat_lines")
    w.table(
        [t["vat"], t["amount_ht"], t["vat"], t["ttc"]],
        ["{% if row.exemption %}{{ row.short }}{% else %}{{ row.rate|percent }}{% endif %}",
         "{{ row.base|money }}", "{{ row.vat|money }}", "{{ row.incl_vat|money }}"],
        loop="for row in invoice.rows", widths=[4.0, 4.3, 4.2, 4.3],
    )
    w.p(f"{t['total_ht']} : {{{{ invoice.excl_vat|money }}}}", align="right")
    w.p(f"{t['vat']} : {{{{ invoice.vat|money }}}}", align="right")
    w.p(f"{t[total_label]} : {{{{ invoice.incl_vat|money }}}}", bold=True, align="right")
    vat_mentions(w)
    w.tag("else")
    w.p(f"{t['total'] if total_label == 'total_ttc' else t[total_label]} : {{{{ invoice.incl_vat|money }}}}", bold=True, align="right")
    w.p(t["franchise"], align="right")
    w.tag("endif")


def deductions(w, t):
    w.tag("for item in invoice.deductions")
    w.p(f"{{% if item.kind == 'deposit' %}}{t['deducted']}{{% else %}}{t['already_billed']}{{% endif %}}"
        f"{{% if item.reference %}} ({{{{ item.reference }}}}{{% if item.date %}} {t['of_date']} {{{{ item.date|date }}}}{{% endif %}}){{% endif %}} : "
        "- {{ item.amount|money }}", align="right")
    w.tag("endfor")


def settled(w, t):
    w.tag("if invoice.paid")
    w.p(t["settled"], bold=True)
    w.tag("endif")


def build_deposit_invoice(w, t):
    invoice_header(w, t, "deposit_invoice")
    w.p(t["deposit_line"], bold=True)
    w.p(t["deposit_received"])
    amounts_table(w, t)
    settled(w, t)
    invoice_footer(w, t)


def build_final_invoice(w, t):
    invoice_header(w, t, "final_invoice")
    w.p("{{ engagement.title }}", bold=True)
    w.tag("if invoice.issued")
    w.p(t["service_date"])
    w.tag("endif")
    lines_table(w, t)
    w.tag("if invoice.reduction")
    w.p(f"{t['reduction']} : - {{{{ invoice.reduction|money }}}}", align="right")
    w.tag("endif")
    deductions(w, t)
    w.p(f"{t['balance']} : {{{{ invoice.balance_due|money }}}}", bold=True, align="right")
    settled(w, t)
    invoice_footer(w, t)


def build_milestone_invoice(w, t):
    invoice_header(w, t, "milestone_invoice")
    w.p("{{ engagement.title }}", bold=True)
    w.tag("if invoice.milestone")
    w.p(t["milestone_for"], bold=True)
    w.tag("if invoice.milestone.deliverable")
    w.p(f"{t['deliverables']} : {{{{ invoice.milestone.deliverable }}}}")
    w.tag("endif")
    w.tag("if invoice.milestone.validation")
    w.p(f"{t['validation']} : {{{{ invoice.milestone.validation }}}}")
    w.tag("endif")
    w.tag("endif")
    w.tag("if invoice.issued")
    w.p(t["service_date"])
    w.tag("endif")
    amounts_table(w, t)
    deductions(w, t)
    w.p(f"{t['balance']} : {{{{ invoice.net|money }}}}", bold=True, align="right")
    invoice_footer(w, t)


def build_credit_note(w, t):
    heading_block(w, t, "credit_note", f"{{{{ invoice.number or {q(t['to_assign'])} }}}}")
    w.p(f"{t['invoice_date']} : {{{{ invoice.date|date }}}} · {t['quote_ref']} : {{{{ engagement.number }}}}")
    parties(w, t, client_ids=True)
    w.tag("if invoice.corrects")
    w.p(t["credit_for"], bold=True)
    w.tag("endif")
    w.p("{{ engagement.title }}")
    w.tag("if invoice.reason")
    w.p(t["reason"])
    w.tag("endif")
    amounts_table(w, t, total_label="credit_total")
    w.p(t["credit_refund"])
    einvoicing_mentions(w, t)


def build_receipt(w, t):
    heading_block(w, t, "receipt", f"{{{{ invoice.number or {q(t['to_assign'])} }}}}")
    w.p(f"{t['invoice_date']} : {{{{ invoice.date|date }}}}")
    parties(w, t)
    w.tag("if invoice.payment")
    w.p(t["receipt_text"], bold=True)
    w.tag("endif")
    w.p(t["receipt_for"])
    w.p(t["receipt_note"])


def notice_parties(w, t):
    w.p(f"{t['creditor']} : {{{{ seller.name }}}}", bold=True)
    w.p("{{ seller.address_lines|join(', ') }}")
    w.p(f"{t['siren']} {{{{ seller.siren }}}}{{% if seller.vat_number %}} · {t['vat_no']} {{{{ seller.vat_number }}}}{{% endif %}} · {{{{ seller.email }}}}")
    w.p(f"{t['debtor']} : {{{{ client.name }}}}", bold=True, align="right")
    # The company first, then the person it is addressed to (never "SAS, Sophie Durand").
    w.tag("if client.contact_name and client.contact_name != client.name")
    w.p(t["attention"][:1].upper() + t["attention"][1:] + " {{ client.contact_name }}", align="right")
    w.tag("endif")
    w.p("{{ client.address_lines|join(', ') }}", align="right")
    w.tag("if client.siren")
    w.p(f"{t['siren']} {{{{ client.siren }}}}", align="right")
    w.tag("endif")


def notice_invoices(w, t, source="notice"):
    w.table(
        [t["inv_number"], t["inv_date"], t["inv_due"], t["inv_amount"], t["inv_paid"], t["inv_unpaid"]],
        ["{{ item.number }}", "{{ item.date|short_date }}", "{{ item.due_date|short_date }}",
         "{{ item.amount|money }}", "{{ item.paid|money }}", "{{ item.unpaid|money }}"],
        loop=f"for item in {source}.invoices",
        # Short dates and room for "Échéance" and "12 345,67 €" on one line each.
        widths=[2.8, 2.5, 2.5, 3.0, 3.0, 3.0],
    )


def build_formal_notice(w, t):
    heading_block(w, t, "formal_notice", "{{ notice.number }}")
    w.p(f"{t['notice_date']} : {{{{ notice.date|date }}}}")
    notice_parties(w, t)
    w.p(t["notice_sent"])
    w.p(t["notice_subject"], bold=True)
    w.p(t["notice_intro"])
    notice_invoices(w, t)
    w.tag("if notice.payments")
    w.p(t["payments_title"])
    w.tag("for pay in notice.payments")
    w.p(t["payment_line"])
    w.tag("endfor")
    w.tag("else")
    w.p(t["no_payment"])
    w.tag("endif")
    w.tag("if notice.consumer")
    w.p(t["interest_consumer"], bold=True)
    w.tag("if notice.lines")
    w.p(t["interest_consumer_accrued"])
    w.tag("endif")
    w.tag("else")
    w.p(t["interest_b2b"])
    w.tag("if notice.lines")
    w.table(
        [t["line_invoice"], t["line_base"], t["line_rate"], t["line_days"], t["line_amount"]],
        [t["line_period"], "{{ line.base|money }}", "{{ line.rate|percent }}",
         "{{ line.days }}", "{{ line.amount|number }}"],
        loop="for line in notice.lines",
        widths=[5.2, 2.5, 2.8, 1.5, 4.8],  # "Taux annuel", "Montant (non arrondi)" on one line
    )
    w.tag("endif")
    w.p(t["interest_total"], align="right")
    w.p(t["indemnity_line"], align="right")
    w.tag("endif")
    w.p(t["total_claimed"], bold=True, align="right")
    w.p(t["demand"], bold=True)
    w.tag("if notice.small_claims")
    w.p(t["next_small"])
    w.tag("else")
    w.p(t["next_ip"])
    w.tag("endif")
    w.p(t["legal_value"])
    w.tag("if seller.iban")
    w.p(t["pay_to"])
    w.tag("endif")
    w.p(t["signature"])


def build_recourse_summary(w, t):
    heading_block(w, t, "recourse_summary", "{{ engagement.number }}")
    w.p(f"{t['notice_date']} : {{{{ recourse.date|date }}}}")
    notice_parties(w, t)
    w.h(t["rs_claim"], level=1)
    notice_invoices(w, t)
    w.p(t["rs_claim_total"], bold=True)
    w.tag("if recourse.notice_number")
    w.p(t["rs_notice"])
    w.tag("else")
    w.p(t["rs_no_notice"])
    w.tag("endif")
    w.p(t["rs_procedure"], bold=True)
    w.p(t["rs_court"])
    w.tag("if recourse.cerfa")
    w.p(t["rs_cerfa"])
    w.tag("endif")
    w.p(t["rs_prescription"])
    w.tag("if recourse.warnings")
    w.p(t["rs_warnings"], bold=True)
    w.tag("for warning in recourse.warnings")
    w.p("{{ warning }}")
    w.tag("endfor")
    w.tag("endif")
    w.p(t["rs_pieces"], bold=True)
    w.tag("for piece in recourse.pieces")
    w.p(t["rs_piece"])
    w.tag("endfor")
    w.p(t["rs_note"])


def build_instalment_plan(w, t):
    heading_block(w, t, "instalment_plan", f"{{{{ plan.number or {q(t['to_assign'])} }}}}")
    w.p(f"{t['plan_date']} : {{% if plan.date %}}{{{{ plan.date|date }}}}{{% endif %}} · "
        f"{t['quote_ref']} : {{{{ engagement.number }}}}")
    parties(w, t, client_ids=True)
    w.p(t["plan_intro"])
    w.h(t["plan_invoices"], level=2)
    w.table(
        [t["plan_invoice"], t["invoice_date"], t["plan_due"], t["ttc"], t["plan_left"]],
        ["{{ item.number }}", "{{ item.date|date }}", "{{ item.due_date|date }}",
         "{{ item.amount|money }}", "{{ item.outstanding|money }}"],
        loop="for item in plan.invoices",
    )
    w.p(t["plan_debt"], bold=True)
    w.h(t["plan_instalments"], level=2)
    w.table(
        [t["plan_position"], t["plan_due"], t["ttc"]],
        ["{{ item.position }}", "{{ item.due_date|date }}", "{{ item.amount|money }}"],
        loop="for item in plan.instalments",
    )
    w.p(t["plan_total"], bold=True, align="right")
    w.p(t["plan_keep"])
    w.p(t["plan_lapse"], bold=True)
    w.p(t["plan_pay"])
    w.p(t["plan_accept"])


BUILDERS = {
    "quote": build_quote,
    "terms": build_terms,
    "certificate": build_certificate,
    "deposit_invoice": build_deposit_invoice,
    "final_invoice": build_final_invoice,
    "milestone_invoice": build_milestone_invoice,
    "credit_note": build_credit_note,
    "receipt": build_receipt,
    "formal_notice": build_formal_notice,
    "recourse_summary": build_recourse_summary,
    "instalment_plan": build_instalment_plan,
}


def fix_colons(text, lang):
    # English has no space before a colon; the French wording keeps its espace.
    return text.replace(" : ", ": ") if lang == "en" else text


def build_all(out_dir=HERE):
    written = []
    for lang, wording in W.items():
        for kind, build in BUILDERS.items():
            writer = Writer()
            writer.lang = lang
            build(writer, wording)
            if lang == "en":
                for paragraph in writer.doc.paragraphs:
                    for run in paragraph.runs:
                        run.text = fix_colons(run.text, lang)
            # Fixed core properties: rebuilding gives the same template (and the same SHA-256).
            props = writer.doc.core_properties
            props.author = props.last_modified_by = "terms-kit"
            props.title = wording[kind]
            props.revision = 1
            stamp = datetime.datetime(2026, 1, 1)
            props.created = props.modified = stamp
            path = Path(out_dir) / f"{kind}_{lang}.docx"
            buffer = io.BytesIO()
            writer.save(buffer)
            path.write_bytes(normalize_docx(buffer.getvalue()))  # fixed ZIP dates: same bytes
            written.append(path)
    return written


if __name__ == "__main__":
    for path in build_all():
        print(path.relative_to(HERE.parent.parent))
