"""The admin documents page: generate in the background, list, download; per-expert isolation."""

import pytest
from django.urls import reverse

from terms_kit.models import DocumentRequest

pytestmark = pytest.mark.django_db


def test_expert_generates_lists_and_downloads_their_documents(
    client, expert, make_engagement, django_capture_on_commit_callbacks
):
    engagement = make_engagement("S1")
    client.force_login(expert)
    page = reverse("terms_kit_engagement:documents", args=[engagement.pk])
    empty = client.get(page)
    assert empty.status_code == 200 and "Generate documents" in empty.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("terms_kit_engagement:documents_generate", args=[engagement.pk]), {"language": "fr"}
        )
    assert response.status_code == 302
    request = DocumentRequest.objects.get(engagement=engagement)
    assert request.state == "done", request.error
    # No deposit in S1; never a certificate by hand (only an acceptance makes one).
    assert request.kinds == ["quote", "terms", "final_invoice"]
    html = client.get(page).content.decode()
    quote = engagement.documents.get(kind="quote")
    pdf_url = reverse("terms_kit_document_download", args=[quote.pk, "pdf"])
    assert pdf_url in html and quote.pdf_sha256 in html
    download = client.get(pdf_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert "attachment" in download["Content-Disposition"]


def test_another_expert_gets_404_everywhere(client, make_expert, make_engagement,
                                            django_capture_on_commit_callbacks):
    owner = make_expert("owner")
    engagement = make_engagement("S2", owner=owner)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("terms_kit_engagement:documents_generate", args=[engagement.pk]))
    document = engagement.documents.first()
    client.force_login(make_expert("intruder"))
    page = reverse("terms_kit_engagement:documents", args=[engagement.pk])
    assert client.get(page).status_code == 404
    generate = reverse("terms_kit_engagement:documents_generate", args=[engagement.pk])
    assert client.post(generate).status_code == 404
    for fmt in ("pdf", "docx"):
        url = reverse("terms_kit_document_download", args=[document.pk, fmt])
        assert client.get(url).status_code == 404
