"""Issued documents: records with snapshots and hashes, the content cache, the task, the CLI."""

import hashlib
import io
import json

import docx
import pypdf
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from documents_helpers import docx_text, pdf_text

from terms_kit.checks import check_document_generation
from terms_kit.documents import generation
from terms_kit.documents.converters import get_converter
from terms_kit.exceptions import ImmutableRecord
from terms_kit.models import DocumentRequest, IssuedDocument
from terms_kit.services.documents import issue_documents, request_documents

pytestmark = pytest.mark.django_db


class CountingConverter:
    """The real converter, counting the conversions it is asked for."""

    def __init__(self):
        self.inner = get_converter()
        self.calls = 0

    def convert(self, data, pdf_version=2):
        self.calls += 1
        return self.inner.convert(data, pdf_version)


def read(field):
    field.open("rb")
    try:
        return field.read()
    finally:
        field.close()


def test_issue_all_kinds_records_snapshot_template_and_file_hashes(make_engagement):
    engagement = make_engagement("S2")
    converter = CountingConverter()
    documents = issue_documents(engagement, converter=converter)
    assert [d.kind for d in documents] == [
        "quote", "terms", "certificate", "deposit_invoice", "final_invoice"]
    assert converter.calls == 5
    for document in documents:
        docx_bytes, pdf_bytes = read(document.docx), read(document.pdf)
        assert hashlib.sha256(docx_bytes).hexdigest() == document.docx_sha256
        assert hashlib.sha256(pdf_bytes).hexdigest() == document.pdf_sha256
        docx.Document(io.BytesIO(docx_bytes))  # opens
        assert len(pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages) >= 1
        assert document.language == "fr" and document.template_name == f"{document.kind}_fr.docx"
        assert len(document.template_sha256) == 64
    quote = documents[0]
    assert "Bon pour accord" in pdf_text(read(quote.pdf))
    # Regenerating from the stored snapshot gives the same DOCX, byte for byte.
    again = generation.render(quote.snapshot["spec"], "quote", "fr", quote.snapshot["extras"])
    assert hashlib.sha256(again.docx).hexdigest() == quote.docx_sha256
    assert again.cache_key == quote.cache_key


def test_identical_inputs_come_from_the_cache_without_converting(make_engagement, make_expert):
    engagement = make_engagement("S2")
    converter = CountingConverter()
    first = issue_documents(engagement, ["quote", "terms"], converter=converter)
    assert converter.calls == 2
    second = issue_documents(engagement, ["quote", "terms"], converter=converter)
    assert converter.calls == 2
    assert [d.pk for d in second] == [d.pk for d in first]
    # Another engagement of the same expert with the same terms: the CGV is not rendered again.
    other = make_engagement("S2", change=lambda s: s["engagement"].update(title="Autre mission"))
    reused = issue_documents(other, ["terms", "quote"], converter=converter)
    assert converter.calls == 3  # only the new quote
    assert reused[0].pdf.name == first[1].pdf.name and reused[0].engagement == other


def test_an_issued_document_never_changes(make_engagement):
    document = issue_documents(make_engagement("S1"), ["certificate"])[0]
    document.language = "en"
    with pytest.raises(ImmutableRecord):
        document.save()
    with pytest.raises(ImmutableRecord):
        document.delete()
    assert IssuedDocument.objects.get(pk=document.pk).language == "fr"


def test_request_runs_as_a_task_after_commit(make_engagement, expert,
                                             django_capture_on_commit_callbacks):
    engagement = make_engagement("S1")
    with django_capture_on_commit_callbacks(execute=True):
        request = request_documents(engagement, ["quote"], "en", user=expert)
        assert request.state == DocumentRequest.State.QUEUED  # nothing ran in the request
    request.refresh_from_db()
    assert request.state == DocumentRequest.State.DONE, request.error
    document = request.documents.get()
    assert document.kind == "quote" and document.language == "en"
    assert "VAT not applicable, art. 293 B" in docx_text(read(document.docx))


def test_generate_command_writes_files_and_prints_a_manifest(tmp_path, spec, capsys):
    path = tmp_path / "s1.json"
    path.write_text(json.dumps(spec("S1")), encoding="utf-8")
    call_command("termskit", "generate", str(path), "--out", str(tmp_path / "out"),
                 "--lang", "en", "--format", "docx,pdf", "--kinds", "quote")
    manifest = json.loads(capsys.readouterr().out)
    names = [item["file"].rsplit("/", 1)[1] for item in manifest]
    assert names == ["quote_en.docx", "quote_en.pdf"]
    for item in manifest:
        content = open(item["file"], "rb").read()
        assert hashlib.sha256(content).hexdigest() == item["sha256"]


def test_generate_refuses_an_invalid_spec(tmp_path, spec):
    data = spec("S1")
    data["engagement"]["lines"] = []
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match="engagement.lines"):
        call_command("termskit", "generate", str(path), "--out", str(tmp_path))


def test_lint_template_lists_unknown_variables_and_jinja_errors(tmp_path, capsys):
    bad = docx.Document()
    bad.add_paragraph("{{ seler.name }} {% for line in lines %}{{ line.nett }}{% endfor %}")
    path = tmp_path / "bad.docx"
    bad.save(path)
    with pytest.raises(CommandError, match="has errors"):
        call_command("termskit", "lint-template", str(path))
    output = capsys.readouterr().out
    assert "unknown variable: seler.name" in output
    assert "unknown variable: lines[].nett" in output
    assert "unused variable: seller.siren" in output
    broken = docx.Document()
    broken.add_paragraph("{% if rules.vat_lines %} never closed")
    broken.save(path)
    with pytest.raises(CommandError):
        call_command("termskit", "lint-template", str(path))
    assert "Jinja syntax error" in capsys.readouterr().out


@pytest.mark.parametrize("template", ["quote_fr", "terms_en", "final_invoice_fr"])
def test_default_templates_pass_the_linter(template, capsys):
    from terms_kit.documents.templates import default_dir

    call_command("termskit", "lint-template", str(default_dir() / f"{template}.docx"))
    assert "no errors" in capsys.readouterr().out


def test_missing_libreoffice_is_a_system_check_warning_naming_the_packages():
    with override_settings(TERMS_KIT={"PDF_CONVERTER": "terms_kit.documents.converters.cold."
                                                       "ColdSofficeConverter",
                                      "PDF_CONVERTER_OPTIONS": {"soffice": "/nowhere/soffice"}}):
        errors = check_document_generation()
    # A warning: migrate must run on a machine without LibreOffice (a build step, a CI job).
    assert [error.id for error in errors] == ["terms_kit.W005"]
    assert not errors[0].is_serious()
    assert "libreoffice-writer-nogui" in errors[0].msg
    assert "apt-get install libreoffice-writer-nogui python3-uno fonts-dejavu" in errors[0].hint
