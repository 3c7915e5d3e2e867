import json

import pytest
from django.core.management import CommandError, call_command

from terms_kit.exceptions import SpecError
from terms_kit.models import BusinessIdentity, Client, Engagement, TermsVersion
from terms_kit.spec import export_engagement, import_spec, to_json, validate_spec
from tests.conftest import SCENARIOS, scenario_spec

pytestmark = pytest.mark.django_db


def without_server_fields(spec):
    """What an import does not take from a spec: the number, the status, the terms' version."""
    spec = json.loads(json.dumps(spec))
    spec["engagement"].pop("number", None)
    spec["engagement"].pop("status", None)
    if spec.get("terms"):
        spec["terms"].pop("version", None)
        spec["terms"].pop("content_hash", None)
    return spec


@pytest.mark.parametrize("key", sorted(SCENARIOS))
def test_scenario_round_trips_through_import_and_export(key, expert, make_expert):
    original = scenario_spec(key)
    exported = export_engagement(import_spec(original, expert))
    assert without_server_fields(exported) == without_server_fields(original)
    # And again, from the exported text, for another expert: the same spec comes back.
    again = export_engagement(import_spec(json.loads(to_json(exported)), make_expert("other")))
    assert to_json(without_server_fields(again)) == to_json(without_server_fields(exported))
    assert again["terms"]["content_hash"] == exported["terms"]["content_hash"]


def test_importing_the_same_spec_twice_reuses_identity_client_and_terms(expert):
    import_spec(scenario_spec("S2"), expert)
    import_spec(scenario_spec("S2"), expert)
    assert Engagement.objects.count() == 2
    assert BusinessIdentity.objects.count() == Client.objects.count() == 1
    assert TermsVersion.objects.count() == 1


def test_a_changed_identity_is_a_new_record_not_an_edit_of_the_old_one(expert):
    first = import_spec(scenario_spec("S2"), expert)
    spec = scenario_spec("S2")
    spec["identity"]["phone"] = "+33 1 00 00 00 00"
    second = import_spec(spec, expert)
    assert first.identity_id != second.identity_id
    first.identity.refresh_from_db()
    assert first.identity.phone == "+33 1 23 45 67 89"


def bad(change):
    spec = scenario_spec("S2")
    change(spec)
    return spec


def set_in(path, value):
    def change(spec):
        target = spec
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


def drop(path):
    def change(spec):
        target = spec
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return change


def first_milestone_amount(value):
    return set_in(["engagement", "payment", "milestones", 0, "amount"], value)


BAD_SPECS = {
    "no line": (set_in(["engagement", "lines"], []), "engagement.lines", "at least one line"),
    "negative quantity": (set_in(["engagement", "lines", 0, "quantity"], "-1"),
                          "engagement.lines[0].quantity", "above 0"),
    "quantity as float": (set_in(["engagement", "lines", 0, "quantity"], 1.5),
                          "engagement.lines[0].quantity", "decimal number written as a string"),
    "negative price": (set_in(["engagement", "lines", 0, "unit_price"], "-10.00"),
                       "engagement.lines[0].unit_price", "cannot be negative"),
    "deposit required at 0 %": (
        lambda s: (set_in(["engagement", "payment", "model"], "deposit")(s),
                   set_in(["engagement", "payment", "milestones"], [])(s),
                   set_in(["engagement", "payment", "deposit_percent"], "0")(s)),
        "engagement.payment.deposit_percent", "deposit is 0 %"),
    "deposit above 100 %": (set_in(["engagement", "payment", "deposit_percent"], "120"),
                            "engagement.payment.deposit_percent", "cannot be above 100"),
    "milestones do not add up": (first_milestone_amount("3000.00"),
                                 "engagement.payment.milestones",
                                 "add up to 11000.00 excl. VAT but the lines total 12000.00"),
    "invalid SIREN": (set_in(["identity", "siren"], "123456789"), "identity.siren",
                      "check digit"),
    "invalid IBAN": (set_in(["identity", "iban"], "FR7630006000011234567890180"),
                     "identity.iban", "IBAN is not valid"),
    "SIRET of another company": (set_in(["identity", "siret"], "12345678200010"),
                                 "identity.siret", "must start with the SIREN"),
    "unknown payment model": (set_in(["engagement", "payment", "model"], "barter"),
                              "engagement.payment.model", "must be one of"),
    "bad date": (set_in(["engagement", "issue_date"], "23/11/2026"), "engagement.issue_date",
                 "YYYY-MM-DD"),
    "missing client e-mail": (drop(["client", "email"]), "client.email", "is required"),
    "unknown field": (set_in(["engagement", "colour"], "blue"), "engagement",
                      "unknown field: colour"),
    "validity before issue": (set_in(["engagement", "validity_date"], "2026-01-01"),
                              "engagement.validity_date", "cannot expire before"),
    "20 000-character title": (set_in(["engagement", "title"], "x" * 20000), "engagement.title",
                               "is 20000 characters long; at most 200 are allowed"),
    "exemption on a taxed line": (set_in(["engagement", "lines", 0, "vat_exemption"], "training"),
                                  "engagement.lines[0].vat_rate", "must be 0"),
    "unknown reason for no VAT": (set_in(["engagement", "lines", 0, "vat_exemption"], "charity"),
                                  "engagement.lines[0].vat_exemption", "must be one of"),
    "Belgian client VAT number with bad check digits": (
        set_in(["client", "vat_number"], "BE0403170702"), "client.vat_number",
        "Invalid Belgian VAT number"),
    "terms text edited after publication": (
        set_in(["terms", "content_hash"], "0" * 64), "terms.content_hash", "does not match"),
}


@pytest.mark.parametrize("case", sorted(BAD_SPECS))
def test_bad_spec_names_the_field_and_imports_nothing(case, expert):
    change, path, reason = BAD_SPECS[case]
    spec = bad(change)
    errors = validate_spec(spec)
    assert any(p == path and reason in r for p, r in errors), errors
    with pytest.raises(SpecError) as raised:
        import_spec(spec, expert)
    assert f"{path}:" in str(raised.value)
    assert not Engagement.objects.exists()
    assert not BusinessIdentity.objects.exists() and not Client.objects.exists()


def test_unsupported_spec_version_is_named():
    spec = scenario_spec("S1")
    spec["spec_version"] = 3
    assert validate_spec(spec) == [
        ("spec_version", "version 3 is not supported; this terms-kit reads versions 1, 2")
    ]


def version_1(spec):
    """The same spec as version 1 wrote it: without the fields version 2 added."""
    spec = json.loads(json.dumps(spec))
    spec["spec_version"] = 1
    spec["identity"].pop("vat_on_debits")
    spec["engagement"].pop("operation_category")
    spec["engagement"].pop("delivery_address")
    spec["engagement"].pop("fee_agreement", None)
    spec["engagement"]["payment"].pop("unused_credit")
    for line in spec["engagement"]["lines"]:
        line.pop("vat_exemption")
    return spec


@pytest.mark.parametrize("key", sorted(SCENARIOS))
def test_a_version_1_spec_still_imports_and_exports_as_version_2(key, expert):
    old = version_1(scenario_spec(key))
    assert validate_spec(old) == []
    exported = export_engagement(import_spec(old, expert))
    assert exported["spec_version"] == 2
    expected = scenario_spec(key)
    expected["engagement"].pop("fee_agreement", None)  # a lawyer's fee basis is still to answer
    assert without_server_fields(exported) == without_server_fields(expected)


def test_a_lawyer_s_version_1_spec_leaves_the_fee_basis_to_answer(expert):
    engagement = import_spec(version_1(scenario_spec("S5")), expert)
    assert engagement.fee_basis == ""
    assert "fee_agreement" not in export_engagement(engagement)["engagement"]


def test_a_version_1_spec_with_a_version_2_field_is_refused():
    old = version_1(scenario_spec("S2"))
    old["engagement"]["lines"][0]["vat_exemption"] = "training"
    assert ("engagement.lines[0]", "unknown field: vat_exemption (see the JSON Schema)") in (
        validate_spec(old))


def test_unused_credit_kept_round_trips_and_older_specs_mean_refunded(expert):
    spec = scenario_spec("S3")
    spec["engagement"]["payment"]["unused_credit"] = "kept"
    engagement = import_spec(spec, expert)
    assert engagement.unused_credit == "kept"
    assert export_engagement(engagement)["engagement"]["payment"]["unused_credit"] == "kept"
    # Written before the field existed (version 1, or version 2 without it): refunded, the
    # rule those terms were accepted under.
    older = scenario_spec("S3")
    older["engagement"]["payment"].pop("unused_credit")
    assert import_spec(older, expert).unused_credit == "refunded"
    assert import_spec(version_1(scenario_spec("S3")), expert).unused_credit == "refunded"
    spec["engagement"]["payment"]["unused_credit"] = "lost"
    assert [path for path, _message in validate_spec(spec)] == [
        "engagement.payment.unused_credit"]


def test_valid_scenarios_have_no_errors():
    for key in SCENARIOS:
        assert validate_spec(scenario_spec(key)) == [], key


def test_cli_export_then_import(tmp_path, expert, make_engagement, capsys):
    engagement = make_engagement("S1")
    call_command("termskit", "export", str(engagement.pk))
    text = capsys.readouterr().out
    assert json.loads(text)["identity"]["legal_name"] == "Claire Martin EI"
    path = tmp_path / "spec.json"
    path.write_text(text, encoding="utf-8")
    call_command("termskit", "import", str(path), "--owner", "expert")
    assert "Imported draft engagement" in capsys.readouterr().out
    assert Engagement.objects.count() == 2


def test_cli_import_reports_every_error_and_writes_nothing(tmp_path, expert):
    spec = scenario_spec("S2")
    spec["engagement"]["lines"][0]["quantity"] = "-2"
    spec["identity"]["siren"] = "12345"
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("termskit", "import", str(path), "--owner", "expert")
    message = str(raised.value)
    assert "engagement.lines[0].quantity: A quantity must be above 0." in message
    assert "identity.siren: A SIREN has exactly 9 digits." in message
    assert not Engagement.objects.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [("{not json", "is not valid JSON: Expecting property name"), (None, "Cannot read")],
)
def test_cli_import_unreadable_file(tmp_path, expert, content, expected):
    path = tmp_path / "spec.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=expected):
        call_command("termskit", "import", str(path), "--owner", "expert")


def test_cli_import_unknown_owner(tmp_path):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(scenario_spec("S1")), encoding="utf-8")
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("termskit", "import", str(path), "--owner", "nobody")


def test_cli_export_unknown_engagement():
    with pytest.raises(CommandError, match="No engagement has the number or id 'D-1999-0001'"):
        call_command("termskit", "export", "D-1999-0001")
