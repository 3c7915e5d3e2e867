"""Where each model field sits in the spec: one table read by both export and import."""

# spec path (within the object) -> model field
ADDRESS = {
    ("address", "line1"): "address_line1",
    ("address", "line2"): "address_line2",
    ("address", "postcode"): "postcode",
    ("address", "city"): "city",
    ("address", "country"): "country",
}

IDENTITY = {
    ("legal_name",): "legal_name",
    ("trade_name",): "trade_name",
    ("legal_form",): "legal_form",
    ("siren",): "siren",
    ("siret",): "siret",
    ("vat_number",): "vat_number",
    ("vat_regime",): "vat_regime",
    ("vat_on_debits",): "vat_on_debits",
    **ADDRESS,
    ("email",): "email",
    ("phone",): "phone",
    ("website",): "website",
    ("iban",): "iban",
    ("bic",): "bic",
    ("insurance", "insurer"): "insurer",
    ("insurance", "policy"): "insurance_policy",
    ("insurance", "coverage"): "insurance_coverage",
    ("mediator", "name"): "mediator_name",
    ("mediator", "website"): "mediator_website",
    ("mediator", "address"): "mediator_address",
    ("profession",): "profession",
    ("einvoicing_from",): "einvoicing_from",
}

CLIENT = {
    ("kind",): "kind",
    ("name",): "name",
    ("contact_name",): "contact_name",
    ("email",): "email",
    ("phone",): "phone",
    ("language",): "language",
    **ADDRESS,
    ("siren",): "siren",
    ("vat_number",): "vat_number",
    ("headcount",): "headcount",
    ("outside_core_activity",): "outside_core_activity",
}

TERMS = {
    ("title",): "title",
    ("language",): "language",
    ("body",): "body",
}

# Loi 71-1130 art. 10: a lawyer's fee agreement (spec version 2). Exported only when answered
# (exporting.py), so the specs of other professions stay as they were.
FEE_AGREEMENT = {
    ("fee_agreement", "basis"): "fee_basis",
    ("fee_agreement", "hourly_rate"): "fee_hourly_rate",
    ("fee_agreement", "success_fee"): "fee_success_complement",
    ("fee_agreement", "provision"): "fee_provision",
    ("fee_agreement", "exemption"): "fee_agreement_exemption",
}

ENGAGEMENT = {
    ("language",): "language",
    ("issue_date",): "issue_date",
    ("validity_date",): "validity_date",
    ("channel",): "channel",
    ("title",): "title",
    ("service_description",): "service_description",
    ("deliverables",): "deliverables",
    ("place",): "place",
    ("start_date",): "start_date",
    ("end_date",): "end_date",
    ("duration",): "duration",
    ("operation_category",): "operation_category",
    ("delivery_address", "line1"): "delivery_line1",
    ("delivery_address", "line2"): "delivery_line2",
    ("delivery_address", "postcode"): "delivery_postcode",
    ("delivery_address", "city"): "delivery_city",
    ("delivery_address", "country"): "delivery_country",
    ("early_start_requested",): "early_start_requested",
    ("refund_terms",): "refund_terms",
    ("cancellation_terms",): "cancellation_terms",
    ("payment", "model"): "payment_model",
    ("payment", "deposit_percent"): "deposit_percent",
    ("payment", "deposit_label"): "deposit_label",
    ("payment", "due_days"): "due_days",
    ("payment", "due_basis"): "due_basis",
    ("payment", "early_payment_discount_percent"): "early_payment_discount_percent",
    ("payment", "early_payment_discount_days"): "early_payment_discount_days",
    ("payment", "late_penalty_rate"): "late_penalty_rate",
    ("payment", "recovery_indemnity"): "recovery_indemnity",
    ("payment", "time_credit_hours"): "time_credit_hours",
    ("payment", "time_credit_validity_months"): "time_credit_validity_months",
    ("payment", "unused_credit"): "unused_credit",
    **FEE_AGREEMENT,
}

LINE = {
    ("description",): "description",
    ("quantity",): "quantity",
    ("unit",): "unit",
    ("unit_price",): "unit_price",
    ("vat_rate",): "vat_rate",
    ("discount_percent",): "discount_percent",
    ("vat_exemption",): "vat_exemption",
}

MILESTONE = {
    ("label",): "label",
    ("deliverable",): "deliverable",
    ("amount",): "amount",
    ("validation",): "validation",
}


def spec_path(prefix, fields, model_field):
    """The dotted spec path of a model field, for error messages."""
    for path, name in fields.items():
        if name == model_field:
            return ".".join((prefix, *path))
    return f"{prefix}.{model_field}" if model_field != "__all__" else prefix
