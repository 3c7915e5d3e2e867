"""``manage.py termskit check``: findings on stdout, exit status 1 on an error."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def _write(tmp_path, data, name="spec.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def _check(*args):
    out = io.StringIO()
    call_command("termskit", "check", *args, stdout=out)
    return out.getvalue()


def test_clean_scenario_prints_its_warning_and_succeeds(spec, tmp_path):
    output = _check(_write(tmp_path, spec("S2")), "--lang", "en")
    assert "params.missing" in output and "0 error(s), 1 warning(s)" in output


def test_error_exits_non_zero_after_printing_json(spec, tmp_path):
    data = spec("S2")
    data["engagement"]["payment"]["due_days"] = 75
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("termskit", "check", _write(tmp_path, data), "--format", "json",
                     "--lang", "en", stdout=out)
    report = json.loads(out.getvalue())
    assert report["blocking"] is True
    errors = [f["rule_id"] for f in report["findings"] if f["severity"] == "error"]
    assert errors == ["b2b.term_max"]
    assert report["findings"][0]["field"] == "engagement.payment.due_days"


def test_on_option_chooses_the_half_year(spec, tmp_path):
    report = json.loads(_check(_write(tmp_path, spec("S2")), "--format", "json",
                               "--on", "2026-03-01"))
    assert report == {"findings": [], "counts": {"error": 0, "warning": 0, "info": 0},
                      "blocking": False}


def test_malformed_spec_gives_the_validation_errors(spec, tmp_path):
    data = spec("S2")
    data["engagement"]["payment"]["due_days"] = "thirty"
    del data["client"]["kind"]
    with pytest.raises(CommandError) as raised:
        _check(_write(tmp_path, data))
    message = str(raised.value)
    assert "engagement.payment.due_days" in message and "client.kind" in message


def test_not_json_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        _check(str(path))


def test_messages_in_french_with_french_numbers(spec, tmp_path):
    report = json.loads(_check(_write(tmp_path, spec("S2")), "--format", "json", "--lang", "fr"))
    (finding,) = report["findings"]
    assert finding["message"].startswith("Le chiffre officiel « Taux de l'intérêt légal")
    assert "23 novembre 2026" in finding["message"] and "2,62" in finding["message"]
