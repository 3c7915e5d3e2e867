"""Hostile document templates: known Jinja server-side template injection (SSTI) payloads.

Each payload of the catalogue goes, inside a real DOCX made with python-docx, through the three
ways a template reaches Jinja: the admin upload over HTTP (a logged-in expert), `termskit
lint-template`, and rendering (a template planted past the linter: in the settings, or stored
before the sandbox existed), in DOCX and through LibreOffice to PDF. Each is refused or comes
out inert, and no output (documents, pages, command output, error messages) carries command
output, the secret key, database settings, the seal's private key, the environment or another
expert's records: the test plants distinctive values for all of these and searches for them.
"""

import html
import io
import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation
from documents_helpers import docx_text, pdf_text

from terms_kit.documents import generation, sandbox
from terms_kit.documents.linting import lint, template_sources
from terms_kit.documents.rendering import RenderError, make_environment
from terms_kit.documents.templates import default_dir
from terms_kit.models import DocumentRequest, ExpertTemplate, IssuedDocument
from terms_kit.services.documents import issue_documents, request_documents
from terms_kit.spec import export_engagement

pytestmark = pytest.mark.django_db

SECRET = "tk-canary-secret-key-5e1f09c2"
ENV_SECRET = "tk-canary-db-password-31b7"
RIVAL_CLIENT = "Rival Canary Holding"


@dataclass(frozen=True)
class Payload:
    name: str
    text: str
    refused: bool = True  # False: allowed, and must render inert (own data only)


# Known payloads from the public SSTI lists, rewritten for this context.
PAYLOADS = [
    Payload("cycler-globals-os", "{{ cycler.__init__.__globals__.os.popen('id').read() }}"),
    Payload("joiner-globals-os", "{{ joiner.__init__.__globals__.os.popen('id').read() }}"),
    Payload("namespace-globals-os", "{{ namespace.__init__.__globals__.os.popen('id').read() }}"),
    Payload("lipsum-globals-os", "{{ lipsum.__globals__['os'].popen('id').read() }}"),
    Payload("lipsum-builtins-import",
            "{{ lipsum.__globals__.__builtins__.__import__('os').popen('id').read() }}"),
    Payload("subclasses-walk",
            "{% for c in ''.__class__.__mro__[1].__subclasses__() %}{% if 'Popen' in c.__name__ %}"
            "{{ c('id', shell=True, stdout=-1).communicate() }}{% endif %}{% endfor %}"),
    Payload("subclasses-of-tuple-base", "{{ ().__class__.__base__.__subclasses__() }}"),
    Payload("attr-filter-chain",
            "{{ seller|attr('__class__')|attr('__mro__')|last|attr('__subclasses__') }}"),
    Payload("attr-filter-hex-escapes",
            "{{ seller|attr('\\x5f\\x5fclass\\x5f\\x5f')|attr('\\x5f\\x5fbase\\x5f\\x5f') }}"),
    Payload("subscript-hex-escapes", "{{ seller['\\x5f\\x5fclass\\x5f\\x5f'] }}"),
    Payload("subscript-built-at-run-time",
            "{% set key = '_' ~ '_class_' ~ '_' %}{{ seller.name[key] }}"),
    Payload("request-application-globals",
            "{{ request.application.__globals__.__builtins__.__import__('os')"
            ".popen('id').read() }}"),
    Payload("config-items", "{{ config.items() }}"),
    Payload("settings-secret-key", "{{ settings.SECRET_KEY }}"),
    Payload("self-template-context", "{{ self._TemplateReference__context }}"),
    Payload("self-init-globals", "{{ self.__init__.__globals__.__builtins__ }}"),
    Payload("loop-class-globals",
            "{% for line in lines %}{{ loop.__class__.__init__.__globals__ }}{% endfor %}"),
    Payload("str-format-attribute", "{{ '{0.__class__.__init__.__globals__}'.format(seller) }}"),
    Payload("str-format-map", "{{ '{x.__class__}'.format_map({'x': seller}) }}"),
    Payload("format-filter", "{{ '%s %s'|format(seller, client) }}"),
    Payload("percent-format-width", "{{ '%999999999s' % 1 }}"),
    Payload("percent-format-variable", "{% set f = '%s' %}{{ f % seller }}"),
    Payload("range-exhaustion", "{{ range(10**9)|length }}"),
    Payload("nested-loop-exhaustion",
            "{% for a in range(9999) %}{% for b in range(9999) %}{% endfor %}{% endfor %}"),
    Payload("string-multiplication-bomb", "{{ 'A' * 10**9 }}"),
    Payload("integer-power-bomb", "{{ 99 ** 99999999 }}"),
    Payload("concat-doubling", "{% set a = 'x' * 999999 %}{% set b = a ~ a %}{{ b }}"),
    Payload("include-file", "{% include '/etc/passwd' %}"),
    Payload("import-file", "{% import '/etc/passwd' as passwd %}{{ passwd }}"),
    Payload("extends-file", "{% extends '../../wagtail_site/settings/base.py' %}"),
    Payload("macro-recursion", "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}"),
    Payload("autoescape-off", "{% autoescape false %}{{ client.name }}{% endautoescape %}"),
    Payload("print-function-repr", "{{ range }}"),
    Payload("mutate-context", "{{ lines.append(seller) }}{{ lines.pop() }}"),
    Payload("dict-items-traversal",
            "{% for key, value in seller.items() %}{{ key }}={{ value }};{% endfor %}"
            "{% for key, value in client.items() %}{{ key }}={{ value }};{% endfor %}"
            "{% for key, value in totals.items() %}{{ key }}={{ value }};{% endfor %}",
            refused=False),
]
REFUSED = [payload for payload in PAYLOADS if payload.refused]
INERT = [payload for payload in PAYLOADS if not payload.refused]


def payload_docx(text, where="body"):
    """A real DOCX with ``text`` in its body, header or document title."""
    document = docx.Document()
    document.add_paragraph("Devis pour {{ client.name }} ({{ seller.name }})")
    if where == "body":
        document.add_paragraph(text)
    elif where == "header":
        document.sections[0].header.paragraphs[0].text = text
    elif where == "title":
        document.core_properties.title = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_xml(data):
    """Every part of a DOCX as text (XML, properties): what a reader could find in the file."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(archive.read(name).decode("utf-8", "replace")
                         for name in archive.namelist())


@pytest.fixture
def canaries(sealed_settings, monkeypatch, make_expert, make_engagement):
    """Plants a recognisable value everywhere a payload could reach; returns what must never
    appear in any output."""
    sealed_settings.SECRET_KEY = SECRET
    monkeypatch.setenv("TK_CANARY_DB_PASSWORD", ENV_SECRET)
    rival = make_expert("rival")
    make_engagement("S2", owner=rival,
                    change=lambda spec: spec["client"].update(name=RIVAL_CLIENT))
    key_lines = Path(sealed_settings.TERMS_KIT["SEAL_KEY"]).read_text().splitlines()
    return [
        SECRET, ENV_SECRET, RIVAL_CLIENT, "uid=", "gid=", "PRIVATE KEY", key_lines[1][:40],
        "django.db.backends", django_settings.ROOT_URLCONF, "<class", "&lt;class",
        "<function", "&lt;function", "<module", "&lt;module", "<built-in", "&lt;built-in",
    ]


def assert_no_leak(text, canaries):
    leaked = [canary for canary in canaries if canary in text]
    assert not leaked, f"leaked {leaked} in: {text[:500]}"


def upload(client, content, kind="quote"):
    return client.post(reverse("terms_kit_template:add"), {
        "kind": kind, "language": "fr", "file": SimpleUploadedFile("modele.docx", content),
    })


# --- (a) The admin upload, over HTTP ----------------------------------------------------------

@pytest.mark.parametrize("payload", REFUSED, ids=lambda payload: payload.name)
def test_admin_upload_refuses_each_payload_and_stores_nothing(client, expert, canaries, payload):
    stored = f"terms_kit/templates/{expert.pk}/quote_fr.docx"
    default_storage.delete(stored)  # the in-memory storage outlives a test: start clean
    client.force_login(expert)
    response = upload(client, payload_docx(payload.text))
    assert response.status_code == 200
    page = response.content.decode()
    assert "refused:" in page, page[:3000]
    assert_no_leak(page, canaries)
    assert not ExpertTemplate.objects.exists()
    assert not default_storage.exists(stored)


def test_admin_upload_error_names_the_tag(client, expert):
    client.force_login(expert)
    page = upload(client, payload_docx(PAYLOADS[0].text)).content.decode()
    assert html.escape("attributes starting with “_” are not allowed (__globals__)") in page
    assert html.escape("“cycler” is not available in document templates") in page
    assert html.escape("{{ cycler.__init__.__globals__.os.popen('id').read() }}") in page


@pytest.mark.parametrize("payload", INERT, ids=lambda payload: payload.name)
def test_admin_upload_of_an_inert_payload_renders_own_data_only(
        client, expert, canaries, make_engagement, payload):
    client.force_login(expert)
    template = docx.Document(str(default_dir() / "quote_fr.docx"))
    template.add_paragraph(payload.text)
    out = io.BytesIO()
    template.save(out)
    response = upload(client, out.getvalue())
    assert response.status_code == 302, response.content.decode()[:3000]
    document = issue_documents(make_engagement("S2"), ["quote"])[0]  # DOCX and PDF (real pool)
    data = document.docx.read()
    content = docx_xml(data)
    pdf = pdf_text(document.pdf.read())
    assert "name=Acme Industrie SAS;" in docx_text(data)
    assert "Acme Industrie SAS" in pdf
    assert_no_leak(content, canaries)
    assert_no_leak(pdf, canaries)


# --- (b) termskit lint-template ----------------------------------------------------------------

@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda payload: payload.name)
def test_lint_template_refuses_each_payload(tmp_path, capsys, canaries, payload):
    path = tmp_path / "modele.docx"
    path.write_bytes(payload_docx(payload.text))
    if payload.refused:
        with pytest.raises(CommandError, match="has errors"):
            call_command("termskit", "lint-template", str(path))
        output = capsys.readouterr().out
        assert "refused:" in output
    else:
        call_command("termskit", "lint-template", str(path))
        output = capsys.readouterr().out
        assert "no errors" in output
    assert_no_leak(output, canaries)


@pytest.mark.parametrize("where", ["header", "title"])
def test_every_part_docxtpl_renders_is_linted(where):
    """Headers and document properties are rendered by docxtpl too: they are checked."""
    payload = PAYLOADS[0].text
    content = payload_docx(payload, where)
    assert any(payload in source for _part, source in template_sources(content))
    report = lint(content)
    assert not report.ok
    assert any("__globals__" in line for line in report.unsafe), report.unsafe
    expected = {"header": "header", "title": "document properties"}[where]
    assert any(f"({expected})" in line for line in report.unsafe), report.unsafe


def test_a_payload_split_across_word_runs_is_seen_as_docxtpl_joins_it():
    """Word splits typed text into runs (spelling, formatting): docxtpl joins the pieces of a
    tag before Jinja sees them, and the linter checks that joined text."""
    document = docx.Document()
    paragraph = document.add_paragraph()
    for piece in ("{{ cyc", "ler.__in", "it__.__glo", "bals__.os.popen('id').read() }}"):
        run = paragraph.add_run(piece)
        run.bold = piece.startswith("ler")
    out = io.BytesIO()
    document.save(out)
    xml = docx_xml(out.getvalue())
    assert "cycler" not in xml  # the tag is really split in the file
    report = lint(out.getvalue())
    assert any("__globals__" in line and "{{ cycler.__init__.__globals__.os.popen('id')" in line
               for line in report.unsafe), report.unsafe


def test_linter_messages_are_in_french_too():
    with translation.override("fr"):
        lines = list(lint(payload_docx(PAYLOADS[0].text)).problems())
    assert any(line.startswith("refusé :") and "n’est pas disponible" in line
               for line in lines), lines


# --- (c) Rendering, with the linter bypassed --------------------------------------------------

@pytest.mark.parametrize("payload", REFUSED, ids=lambda payload: payload.name)
def test_rendering_refuses_each_payload_planted_past_the_linter(
        tmp_path, canaries, sealed_settings, spec, payload):
    path = tmp_path / "quote_fr.docx"
    path.write_bytes(payload_docx(payload.text))
    sealed_settings.TERMS_KIT = {**sealed_settings.TERMS_KIT,
                                 "DOCUMENT_TEMPLATES": {"quote_fr": str(path)}}
    with pytest.raises(RenderError) as caught:
        generation.render(spec("S2"), "quote", "fr")
    assert caught.value.refused, caught.value
    assert_no_leak(str(caught.value), canaries)


@pytest.mark.parametrize("payload", [PAYLOADS[0], PAYLOADS[5], PAYLOADS[13]],
                         ids=lambda payload: payload.name)
def test_a_stored_hostile_template_is_refused_in_the_worker(
        canaries, expert, make_engagement, django_capture_on_commit_callbacks, payload):
    """A template stored before the sandbox existed (no linter then): the task refuses it."""
    plant(expert, payload.text)
    engagement = make_engagement("S2")
    with django_capture_on_commit_callbacks(execute=True):
        request = request_documents(engagement, ["quote"], "fr", user=expert)
    request.refresh_from_db()
    assert request.state == DocumentRequest.State.FAILED
    assert "refused by the template sandbox" in request.error
    assert_no_leak(request.error, canaries)
    assert not IssuedDocument.objects.filter(engagement=engagement).exists()


def plant(owner, text):
    """A hostile template stored as if uploaded before the sandbox existed (no linter then)."""
    planted = ExpertTemplate(owner=owner, kind="quote", language="fr", sha256="0" * 64)
    planted.file.save("planted.docx", ContentFile(payload_docx(text)), save=False)
    planted.save()
    return planted


def test_a_stored_hostile_template_is_refused_when_sending_over_http(
        canaries, client, make_engagement, django_capture_on_commit_callbacks):
    """Sending renders the quote inside the web request: refused, nothing sent or issued."""
    from django.core import mail

    from tests.conftest import acknowledge_warnings

    engagement = make_engagement("S2")
    acknowledge_warnings(engagement)  # the compliance gate passes: only the template is wrong
    plant(engagement.owner, PAYLOADS[0].text)
    client.force_login(engagement.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/terms-kit/engagements/{engagement.pk}/send/",
                               follow=True)
    page = response.content.decode()
    assert "refused by the template sandbox" in page
    assert_no_leak(page, canaries)
    engagement.refresh_from_db()
    assert engagement.status == "draft"
    assert not mail.outbox
    assert not IssuedDocument.objects.filter(engagement=engagement).exists()


def test_client_typed_payloads_come_out_literally_in_docx_and_pdf(canaries, make_engagement):
    """Second-order injection: a payload typed as a client's name is text, never template."""
    payload = PAYLOADS[0].text
    engagement = make_engagement("S2", change=lambda spec: spec["client"].update(name=payload))
    document = issue_documents(engagement, ["quote"])[0]
    data, pdf = document.docx.read(), pdf_text(document.pdf.read())
    assert payload in docx_text(data)
    assert "cycler.__init__.__globals__.os.popen" in pdf
    assert_no_leak(docx_xml(data), canaries)
    assert_no_leak(pdf, canaries)


# --- termskit generate --template ---------------------------------------------------------------

def write_spec(tmp_path, engagement):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(export_engagement(engagement)), encoding="utf-8")
    return path


@pytest.mark.parametrize("payload", REFUSED, ids=lambda payload: payload.name)
def test_generate_with_a_hostile_template_is_refused_and_writes_nothing(
        tmp_path, canaries, make_engagement, payload):
    spec_path = write_spec(tmp_path, make_engagement("S2"))
    template = tmp_path / "modele.docx"
    template.write_bytes(payload_docx(payload.text))
    out = tmp_path / "out"
    with pytest.raises(CommandError, match="refused by `termskit lint-template`") as caught:
        call_command("termskit", "generate", str(spec_path), "--out", str(out),
                     "--kinds", "quote", "--format", "docx", "--template", f"quote={template}")
    assert "refused:" in str(caught.value)
    assert_no_leak(str(caught.value), canaries)
    assert not out.exists() or not any(out.iterdir())


def test_generate_renders_with_the_given_template_docx_and_pdf(
        tmp_path, capsys, canaries, make_engagement):
    spec_path = write_spec(tmp_path, make_engagement("S2"))
    custom = docx.Document(str(default_dir() / "quote_fr.docx"))
    custom.add_paragraph("Mention maison pour {{ client.name }}")
    custom.add_paragraph(INERT[0].text)
    template = tmp_path / "mon_devis.docx"
    custom.save(template)
    call_command("termskit", "generate", str(spec_path), "--out", str(tmp_path / "out"),
                 "--kinds", "quote,certificate", "--template", f"quote={template}")
    files = {Path(item["file"]).name: Path(item["file"])
             for item in json.loads(capsys.readouterr().out)}
    assert set(files) == {"quote_fr.docx", "quote_fr.pdf", "certificate_fr.docx",
                          "certificate_fr.pdf"}
    quote = files["quote_fr.docx"].read_bytes()
    assert "Mention maison pour Acme Industrie SAS" in docx_text(quote)
    assert "Mention maison" in pdf_text(files["quote_fr.pdf"].read_bytes())
    assert "Mention maison" not in docx_text(files["certificate_fr.docx"].read_bytes())
    for path in files.values():
        content = path.read_bytes()
        text = docx_xml(content) if path.suffix == ".docx" else pdf_text(content)
        assert_no_leak(text, canaries)


@pytest.mark.parametrize(("option", "message"), [
    ("invoice=x.docx", "unknown kind 'invoice'"),
    ("quote", "write KIND=FILE.docx"),
    ("quote=/nowhere/missing.docx", "cannot read /nowhere/missing.docx"),
    ("terms={default}", "not generated here"),
])
def test_generate_template_option_errors(tmp_path, make_engagement, option, message):
    spec_path = write_spec(tmp_path, make_engagement("S2"))
    option = option.format(default=default_dir() / "terms_fr.docx")
    with pytest.raises(CommandError, match=message):
        call_command("termskit", "generate", str(spec_path), "--out", str(tmp_path / "out"),
                     "--kinds", "quote", "--template", option)


def test_generate_with_a_refused_template_exits_non_zero(tmp_path, spec):
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps(spec("S1")), encoding="utf-8")
    template = tmp_path / "modele.docx"
    template.write_bytes(payload_docx(PAYLOADS[0].text))
    result = subprocess.run(
        [sys.executable, "manage.py", "termskit", "generate", str(spec_path), "--out",
         str(tmp_path / "out"), "--format", "docx", "--template", f"quote={template}"],
        cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "wagtail_site.settings.test"},
    )
    assert result.returncode != 0
    assert "refused by `termskit lint-template`" in result.stderr
    assert "__globals__" in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


# --- What templates may still do ----------------------------------------------------------------

def test_allowed_constructs_still_work(spec):
    env = make_environment("fr")
    source = (
        "{% for line in lines %}{{ loop.index }}{{ loop.cycle('a', 'b') }}"
        "{{ line.net|money }};{% endfor %}|{{ seller.name|upper }}|{{ seller.name.lower() }}|"
        "{{ lines|length }}|{{ [1, 2]|join('-') }}|{{ 'x' ~ 1 }}|{{ 2 ** 10 }}|{{ 7 % 3 }}|"
        "{{ range(3)|join }}|{{ 'ab'|replace('a', 'c') }}|{{ none_value|default('-', true) }}|"
        "{% set total %}{{ totals.incl_vat|money }}{% endset %}{{ total }}|"
        "{{ client.get('name') }}{% if deposit is none %}!{% endif %}"
    )
    context = {"lines": [{"net": 1}, {"net": 2}], "seller": {"name": "Ann & Co"},
               "totals": {"incl_vat": 12}, "client": {"name": "<b>"}, "deposit": None,
               "none_value": ""}
    assert env.from_string(source).render(context) == (
        "1a1,00\u00a0€;2b2,00\u00a0€;|ANN &amp; CO|ann &amp; co|2|1-2|x1|1024|1|012|cb|-|"
        "12,00\u00a0€|&lt;b&gt;!"
    )


def test_documents_doc_lists_exactly_the_allowed_filters():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "documents.md").read_text()
    env_filters = sorted(make_environment("fr").filters)
    line = next(line for line in doc.splitlines() if line.startswith("- Allowed filters:"))
    assert sorted(name.strip(" `.") for name in line.split(":", 1)[1].split(",")) == env_filters
    assert set(sandbox.BUILTIN_FILTERS) <= set(env_filters)
