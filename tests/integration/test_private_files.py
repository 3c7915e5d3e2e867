"""terms-kit's files are private: never under MEDIA_URL, served only after an owner or link check.

The site here serves MEDIA_ROOT at /media/ as a DEBUG site does (Django's static serve view),
with the default storage on disk and terms-kit's own folder, TERMS_KIT["PRIVATE_ROOT"], beside
it: the paths the files had when they went to the default storage must answer 404.
"""

import hashlib
import io

import docx
import pytest
from acceptance_helpers import accept_form, url, verify_email
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import include, path, re_path, reverse
from django.views.static import serve

from terms_kit.documents.templates import default_dir
from terms_kit.models import ExpertTemplate, SealedFile
from terms_kit.services.acceptance import revoke_links

pytestmark = pytest.mark.django_db


def media(request, path):
    return serve(request, path, document_root=django_settings.MEDIA_ROOT)


urlpatterns = [
    path("terms/", include("terms_kit.urls")),
    re_path(r"^media/(?P<path>.*)$", media),  # what `static()` adds when DEBUG is on
    path("admin/", include("wagtail.admin.urls")),
]


@pytest.fixture
def disk(sealed_settings, tmp_path):
    """Default storage and terms-kit's private folder on disk; /media/ served."""
    settings = sealed_settings
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": settings.STORAGES["staticfiles"],
    }
    settings.TERMS_KIT = {**settings.TERMS_KIT, "PRIVATE_ROOT": str(tmp_path / "private")}
    settings.ROOT_URLCONF = __name__
    return tmp_path


def body(response):
    return b"".join(response.streaming_content)


def public_paths(name):
    """Where a DEBUG site, or a web server aliasing MEDIA_ROOT, would have served the file."""
    return [f"/media/{name}", f"{django_settings.MEDIA_URL}{name}"]


def test_issued_documents_and_the_sealed_pack_are_served_only_with_a_check(
        disk, sent, client, make_expert, django_capture_on_commit_callbacks):
    engagement, sent_link = sent("S2")
    token = sent_link.token
    quote = sent_link.link.documents.get(kind="quote")
    assert (disk / "private" / quote.pdf.name).is_file()
    assert not (disk / "media" / quote.pdf.name).exists()
    for public in public_paths(quote.pdf.name):
        assert client.get(public).status_code == 404
    with pytest.raises(ValueError, match="no public URL"):
        quote.pdf.url  # noqa: B018  (nothing may build a public link to it)

    # The client's link serves the bytes on record.
    from_link = client.get(url("document", token, quote.pk, "pdf"))
    assert from_link.status_code == 200
    assert hashlib.sha256(body(from_link)).hexdigest() == quote.pdf_sha256

    # The owner in the admin too; another expert gets 404.
    admin_url = reverse("terms_kit_document_download", args=[quote.pk, "pdf"])
    client.force_login(engagement.owner)
    assert hashlib.sha256(body(client.get(admin_url))).hexdigest() == quote.pdf_sha256
    client.force_login(make_expert("intruder"))
    assert client.get(admin_url).status_code == 404
    client.logout()

    # The sealed pack, after the client signs.
    verify_email(client, token)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("accept", token), accept_form(["terms", "deposit"]))
    sealed = SealedFile.objects.get(engagement=engagement)
    assert sealed.pdf.name.startswith("terms_kit/sealed/")
    assert (disk / "private" / sealed.pdf.name).is_file()
    for public in public_paths(sealed.pdf.name):
        assert client.get(public).status_code == 404
    pack = client.get(url("sealed", token, "acceptance"))
    assert hashlib.sha256(body(pack)).hexdigest() == sealed.pdf_sha256

    # Revoking the link cuts every file it served: nothing else reaches them.
    revoke_links(engagement)
    assert client.get(url("sealed", token, "acceptance")).status_code == 410
    assert client.get(url("document", token, quote.pk, "pdf")).status_code == 410
    client.force_login(engagement.owner)
    owner_copy = client.get(reverse("terms_kit_sealed_download", args=[sealed.pk]))
    assert hashlib.sha256(body(owner_copy)).hexdigest() == sealed.pdf_sha256


def test_an_uploaded_expert_template_is_private_to_its_owner(disk, client, expert, make_expert):
    own = docx.Document(str(default_dir() / "quote_fr.docx"))
    own.add_paragraph("Clause maison")
    content = io.BytesIO()
    own.save(content)
    client.force_login(expert)
    response = client.post(reverse("terms_kit_template:add"), {
        "kind": "quote", "language": "fr",
        "file": SimpleUploadedFile("mon_devis.docx", content.getvalue()),
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    template = ExpertTemplate.objects.get()
    # The predictable path of issue 9: /media/terms_kit/templates/<owner id>/quote_fr.docx
    assert template.file.name == f"terms_kit/templates/{expert.pk}/quote_fr.docx"
    assert (disk / "private" / template.file.name).is_file()
    assert not (disk / "media" / "terms_kit").exists()
    for public in public_paths(template.file.name):
        assert client.get(public).status_code == 404

    download = reverse("terms_kit_template_download", args=[template.pk])
    edit = client.get(reverse("terms_kit_template:edit", args=[template.pk]))
    assert edit.status_code == 200 and download in edit.content.decode()
    assert body(client.get(download)) == content.getvalue()
    client.force_login(make_expert("intruder"))
    assert client.get(download).status_code == 404
    client.logout()
    assert client.get(download).status_code in (302, 403)  # the admin's login, never the file
