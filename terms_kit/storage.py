"""Where terms-kit keeps its files: issued documents, sealed packs, expert templates.

These files hold clients' personal data and signed evidence, so they are private by default:
never under MEDIA_URL, served only by views that check the owner (admin) or the client's
link. The storage is, in order:

- ``STORAGES["terms_kit"]`` when the host site defines that alias (e.g. S3 with a private
  ACL, see docs/installation.md);
- otherwise a folder, ``TERMS_KIT["PRIVATE_ROOT"]``, that has no URL at all.

Models and services use ``private_storage``; it is resolved lazily and again when the
settings change (tests), so the host's settings are read at first use, not at import.
"""

import io

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

from .conf import app_settings
from .exceptions import StorageUnavailable

STORAGE_ALIAS = "terms_kit"
NOT_CONFIGURED = (
    "terms-kit has nowhere private to keep its files: set TERMS_KIT['PRIVATE_ROOT'] to a "
    "folder outside MEDIA_ROOT and STATIC_ROOT (e.g. BASE_DIR / 'private'), or define "
    "STORAGES['terms_kit']. See docs/installation.md."
)


class PrivateFileSystemStorage(FileSystemStorage):
    """A folder with no URL: its files are streamed by views that check who asks."""

    def url(self, name):
        raise ValueError(
            f"terms-kit files have no public URL ({name}); they are served by the admin's and "
            "the client link's download views."
        )


class UnconfiguredStorage(Storage):
    """Stands in until the host configures a private place: every use names the setting."""

    def _fail(self, *args, **kwargs):
        raise ImproperlyConfigured(NOT_CONFIGURED)

    _open = _save = exists = delete = size = path = url = listdir = _fail
    get_accessed_time = get_created_time = get_modified_time = _fail


def uses_alias():
    return STORAGE_ALIAS in getattr(settings, "STORAGES", {})


def configured_storage():
    if uses_alias():
        return storages[STORAGE_ALIAS]
    if app_settings.PRIVATE_ROOT:
        return PrivateFileSystemStorage(location=str(app_settings.PRIVATE_ROOT))
    return UnconfiguredStorage()


class TermsKitStorage(LazyObject):
    def _setup(self):
        self._wrapped = configured_storage()


private_storage = TermsKitStorage()


def get_storage():
    """``FileField(storage=get_storage)``: migrations name this function, not a backend."""
    return private_storage


@receiver(setting_changed)
def _settings_changed(*, setting, **kwargs):
    if setting in ("STORAGES", "TERMS_KIT"):
        private_storage._wrapped = empty


def store_once(name, content):
    """Write ``content`` (bytes) under ``name`` unless a file is already there; the stored name.

    Names are content-addressed (the SHA-256 is in them), so an existing file holds the same
    bytes. Any failure of the storage backend (S3 refusing the write, a full disk, a network
    error) becomes StorageUnavailable, so callers inside a transaction roll back the record
    that would point at the missing file.
    """
    from django.core.files.base import ContentFile

    try:
        if private_storage.exists(name):
            return name
        return private_storage.save(name, ContentFile(content))
    except Exception as exc:
        raise StorageUnavailable(f"The file storage could not write {name}: {exc}") from exc


def download_response(field, *, filename, content_type):
    """An attachment response for a stored file, read from a handle of its own.

    The bytes are copied out rather than handing the storage's file object to FileResponse:
    under a WSGI file wrapper Django patches that object's ``close`` to the response's, and a
    storage that returns the same object on every ``open`` (InMemoryStorage) would then fire
    ``request_finished`` inside a later request, closing its database connection mid-way.
    """
    from django.http import FileResponse  # keeps this module importable before apps load

    with field.storage.open(field.name, "rb") as handle:
        data = handle.read()
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=filename,
                        content_type=content_type)
