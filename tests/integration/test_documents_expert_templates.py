"""An expert's own DOCX template: uploaded in the admin, checked by the linter, then used."""

import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from documents_helpers import docx_text

from terms_kit.documents.templates import default_dir
from terms_kit.models import ExpertTemplate
from terms_kit.services.documents import issue_documents

pytestmark = pytest.mark.django_db


def upload(client, content):
    return client.post(reverse("terms_kit_template:add"), {
        "kind": "quote", "language": "fr",
        "file": SimpleUploadedFile("mon_devis.docx", content),
    })


def docx_bytes(document):
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_template_failing_the_linter_is_refused_with_its_errors(client, expert):
    bad = docx.Document()
    bad.add_paragraph("{{ seler.name }} {% if rules.vat_lines %}")
    client.force_login(expert)
    response = upload(client, docx_bytes(bad))
    assert response.status_code == 200
    assert "Jinja syntax error" in response.content.decode()
    unknown = docx.Document()
    unknown.add_paragraph("{{ seler.name }}")
    response = upload(client, docx_bytes(unknown))
    assert "unknown variable: seler.name" in response.content.decode()
    assert not ExpertTemplate.objects.exists()


def test_an_uploaded_template_is_used_for_its_owner_only(client, expert, make_expert,
                                                        make_engagement):
    own = docx.Document(str(default_dir() / "quote_fr.docx"))
    own.add_paragraph("Mention maison pour {{ client.name }}")
    client.force_login(expert)
    response = upload(client, docx_bytes(own))
    assert response.status_code == 302, response.content.decode()[:2000]
    mine = issue_documents(make_engagement("S2"), ["quote"])[0]
    assert "Mention maison pour Acme Industrie SAS" in docx_text(mine.docx.read())
    assert mine.template_sha256 == ExpertTemplate.objects.get().sha256
    other = issue_documents(make_engagement("S2", owner=make_expert("other")), ["quote"])[0]
    assert "Mention maison" not in docx_text(other.docx.read())
    assert other.template_name == "quote_fr.docx"
