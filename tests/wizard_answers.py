"""What an expert types in each wizard step, derived from a scenario spec (S1-S6).

Shared by the HTTP tests (as POST data) and the browser test (as field values), so both
walk the wizard with exactly the scenario's answers.
"""

from terms_kit.spec import fields

SERVICE_FIELDS = ("title", "service_description", "deliverables", "place", "start_date",
                  "end_date", "duration", "language", "issue_date", "validity_date")
IDENTITY_FIELDS = set(fields.IDENTITY.values()) - {"einvoicing_from"}  # not asked by the wizard
CONSUMER_ONLY_ABSENT = ("siren", "vat_number", "headcount", "outside_core_activity")


def _read(data, path):
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _flat(obj, mapping, only=None):
    out = {}
    for path, name in mapping.items():
        if only is not None and name not in only:
            continue
        value = _read(obj, path)
        if value is None:
            value = ""
        out[name] = value
    return out


def _checkboxes(data):
    """Browsers send "on" for a ticked box and nothing for an unticked one."""
    result = {}
    for key, value in data.items():
        if value is True:
            result[key] = "on"
        elif value is not False:
            result[key] = str(value)
    return result


def _formset(prefix, rows, initial=0):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def step_answers(spec, terms_version_pk=None):
    """{step key: POST dict} for every step the scenario goes through."""
    identity, client, body = spec["identity"], spec["client"], spec["engagement"]
    payment = body["payment"]
    franchise = identity["vat_regime"] == "franchise"
    client_data = _flat(client, fields.CLIENT)
    if client["kind"] == "consumer":
        for name in CONSUMER_ONLY_ABSENT:
            client_data.pop(name)
    client_data["channel"] = body["channel"]
    lines = [_flat(line, fields.LINE) for line in body["lines"]]
    if franchise:
        for line in lines:
            line.pop("vat_rate")
    payment_fields = {name for path, name in fields.ENGAGEMENT.items() if path[0] == "payment"}
    payment_data = _flat(body, fields.ENGAGEMENT, payment_fields)
    if client["kind"] == "consumer":
        for name in ("early_payment_discount_percent", "early_payment_discount_days",
                     "late_penalty_rate", "recovery_indemnity"):
            payment_data.pop(name)
    milestones = [_flat(m, fields.MILESTONE) for m in payment.get("milestones", [])]
    terms_data = {"refund_terms": body["refund_terms"],
                  "cancellation_terms": body["cancellation_terms"],
                  "terms_version": terms_version_pk or ""}
    if client["kind"] == "consumer" and body["channel"] != "on_premises":
        terms_data["early_start_requested"] = body["early_start_requested"]
    answers = {
        "identity": _flat(identity, fields.IDENTITY, IDENTITY_FIELDS),
        "client": client_data,
        "service": _flat(body, fields.ENGAGEMENT, SERVICE_FIELDS),
        "price": {**_formset("lines", lines)},
        "payment": {**payment_data, **_formset("milestones", milestones)},
        "terms": terms_data,
    }
    if identity["profession"] == "lawyer":
        fees = body.get("fee_agreement") or {}
        answers["profession"] = {
            "fee_basis": fees.get("basis") or "flat_fee",
            "fee_hourly_rate": fees.get("hourly_rate") or "",
            "fee_success_complement": bool(fees.get("success_fee")),
            "fee_provision": fees.get("provision") or "",
            "fee_agreement_exemption": fees.get("exemption") or "",
        }
    elif identity["profession"] == "training" and client["kind"] == "consumer":
        answers["profession"] = {"training_withdrawal": True, "training_payment_schedule": True}
    return {key: _checkboxes(data) for key, data in answers.items()}


STEP_ORDER = ("identity", "client", "service", "price", "payment", "profession", "terms")
