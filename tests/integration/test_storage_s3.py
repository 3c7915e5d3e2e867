"""terms-kit's files on S3 for real: django-storages' S3Storage against moto's S3 server.

The issued documents and the sealed pack go to the bucket (looked at with boto3 from outside
the application), and come back only through the views that check who asks, byte for byte.
"""

import hashlib

import pytest
from acceptance_helpers import accept_form, url, verify_email
from django.urls import reverse

from terms_kit.models import IssuedDocument, SealedFile

pytestmark = pytest.mark.django_db


def body(response):
    return b"".join(response.streaming_content)


def stored(bucket, name):
    """The object's bytes as S3 holds them."""
    return bucket.client.get_object(Bucket=bucket.name, Key=name)["Body"].read()


def test_documents_and_the_sealed_pack_live_in_the_bucket_and_reach_their_owner_only(
        s3_bucket, sent, client, make_expert, django_capture_on_commit_callbacks):
    engagement, sent_link = sent("S2")
    token = sent_link.token
    documents = list(IssuedDocument.objects.filter(engagement=engagement))
    assert documents, "sending issues the quote and the terms"
    for document in documents:
        for field, digest in ((document.pdf, document.pdf_sha256),
                              (document.docx, document.docx_sha256)):
            assert hashlib.sha256(stored(s3_bucket, field.name)).hexdigest() == digest
    # Private objects: an anonymous request to the bucket is refused.
    quote = sent_link.link.documents.get(kind="quote")
    acl = s3_bucket.client.get_object_acl(Bucket=s3_bucket.name, Key=quote.pdf.name)
    assert not [g for g in acl["Grants"] if g["Grantee"].get("URI", "").endswith("AllUsers")]

    from_link = client.get(url("document", token, quote.pk, "pdf"))
    assert from_link.status_code == 200
    assert hashlib.sha256(body(from_link)).hexdigest() == quote.pdf_sha256
    admin_url = reverse("terms_kit_document_download", args=[quote.pk, "pdf"])
    client.force_login(engagement.owner)
    assert hashlib.sha256(body(client.get(admin_url))).hexdigest() == quote.pdf_sha256
    client.force_login(make_expert("intruder"))
    assert client.get(admin_url).status_code == 404
    client.logout()

    verify_email(client, token)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("accept", token), accept_form(["terms", "deposit"]))
    assert response.status_code in (200, 302)
    sealed = SealedFile.objects.get(engagement=engagement)
    assert hashlib.sha256(stored(s3_bucket, sealed.pdf.name)).hexdigest() == sealed.pdf_sha256
    pack = client.get(url("sealed", token, "acceptance"))
    assert hashlib.sha256(body(pack)).hexdigest() == sealed.pdf_sha256
    owner_url = reverse("terms_kit_sealed_download", args=[sealed.pk])
    client.force_login(make_expert("other"))
    assert client.get(owner_url).status_code == 404
    client.force_login(engagement.owner)
    assert hashlib.sha256(body(client.get(owner_url))).hexdigest() == sealed.pdf_sha256
