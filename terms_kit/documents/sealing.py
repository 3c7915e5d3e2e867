"""PAdES seal of the platform: sign a PDF with the certificate named in settings, check one.

The signer (key and certificate) is loaded once per configuration and kept: re-reading the
key for every document costs ~10 times the signature itself (ARCHITECTURE.md).
"""

import datetime
import io
import threading
from dataclasses import dataclass
from pathlib import Path

from ..conf import app_settings
from ..exceptions import SealingUnavailable

FIELD_NAME = "TermsKitSeal"
# A PDF we seal has its original body plus one incremental update (the seal): a few xref
# sections. Validation time grows faster than linearly with revisions, so a PDF with more
# is refused before any parsing or cryptography (a hostile upload cannot tie up a worker).
MAX_REVISIONS = 4
# Room for the CMS signature in the PDF; a 2048/3072-bit RSA or EC signature with its
# certificate fits well within it, and a fixed size avoids signing twice to measure.
BYTES_RESERVED = 16384

_lock = threading.Lock()
_cache = {}


def seal_settings():
    return {
        "SEAL_CERTIFICATE": app_settings.SEAL_CERTIFICATE,
        "SEAL_KEY": app_settings.SEAL_KEY,
        "SEAL_KEY_PASSPHRASE": app_settings.SEAL_KEY_PASSPHRASE,
    }


def problems():
    """What prevents sealing, one sentence each naming the setting (empty when ready)."""
    found = []
    values = seal_settings()
    for name in ("SEAL_CERTIFICATE", "SEAL_KEY"):
        path = values[name]
        if not path:
            found.append(f"TERMS_KIT[{name!r}] is not set.")
        elif not Path(path).is_file():
            found.append(f"TERMS_KIT[{name!r}] names {path}, which is not a readable file.")
    return found


def get_signer():
    """The loaded signer for the current settings (loaded on first use, then reused)."""
    from pyhanko.sign import signers

    values = seal_settings()
    key = tuple(sorted((k, str(v)) for k, v in values.items()))
    with _lock:
        if key not in _cache:
            missing = problems()
            if missing:
                raise SealingUnavailable(" ".join(missing) + " See docs/configuration.md.")
            passphrase = values["SEAL_KEY_PASSPHRASE"]
            signer = signers.SimpleSigner.load(
                values["SEAL_KEY"], values["SEAL_CERTIFICATE"],
                key_passphrase=passphrase.encode("utf-8") if passphrase else None,
            )
            if signer is None:
                raise SealingUnavailable(
                    "The seal key or certificate could not be read: check TERMS_KIT['SEAL_KEY'], "
                    "TERMS_KIT['SEAL_CERTIFICATE'] and TERMS_KIT['SEAL_KEY_PASSPHRASE']."
                )
            _cache[key] = signer
        return _cache[key]


def seal_pdf(data, reason, location="terms-kit"):
    """The PDF with an added PAdES signature of the platform certificate."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, reason=reason, location=location, md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    out = io.BytesIO()
    pdf_signer = signers.PdfSigner(meta, signer=get_signer())
    _outside_event_loop(lambda: pdf_signer.sign_pdf(
        writer, output=out, bytes_reserved=BYTES_RESERVED))
    return out.getvalue()


@dataclass(frozen=True)
class SealCheck:
    sealed: bool  # carries a signature by our platform certificate
    intact: bool  # the signed bytes are unchanged
    valid: bool  # the signature is cryptographically valid and the certificate trusted
    signed_at: datetime.datetime | None
    message: str

    @property
    def ok(self):
        return self.sealed and self.intact and self.valid


def revision_count(data):
    """Incremental updates of a PDF, counted on the raw bytes (no parsing): each revision
    ends with ``startxref`` and ``%%EOF``; the larger count wins."""
    return max(data.count(b"startxref"), data.count(b"%%EOF"))


def check_seal(data):
    """Validate the platform seal of a PDF with pyHanko, trusting only our certificate."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    revisions = revision_count(data)
    if revisions > MAX_REVISIONS:
        return SealCheck(False, False, False, None,
                         f"The PDF has {revisions} revisions; a sealed document of this site "
                         f"has at most {MAX_REVISIONS}.")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = list(reader.embedded_signatures)
    except Exception as exc:  # a damaged or non-PDF upload: say so, never a 500
        return SealCheck(False, False, False, None,
                         f"Not a readable PDF ({exc.__class__.__name__}).")
    ours = [sig for sig in signatures if sig.field_name == FIELD_NAME]
    if not ours:
        return SealCheck(False, False, False, None, "The PDF carries no seal of this site.")
    certificate = load_cert_from_pemder(app_settings.SEAL_CERTIFICATE)
    context = ValidationContext(trust_roots=[certificate], allow_fetching=False)
    try:
        status = _outside_event_loop(validate_pdf_signature, ours[-1], context)
    except Exception as exc:
        return SealCheck(True, False, False, None, f"The seal cannot be checked ({exc}).")
    sealed_by_us = status.signing_cert.dump() == certificate.dump()
    message = "Seal valid." if status.bottom_line and sealed_by_us else status.summary()
    return SealCheck(
        sealed_by_us, bool(status.intact), bool(status.bottom_line and sealed_by_us),
        status.signer_reported_dt, message,
    )


def _trust_context():
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko_certvalidator import ValidationContext

    certificate = load_cert_from_pemder(app_settings.SEAL_CERTIFICATE)
    return certificate, ValidationContext(trust_roots=[certificate], allow_fetching=False)


def sign_detached(data):
    """A detached CMS (PKCS #7) signature of ``data`` by the seal key, DER bytes.

    Anyone can check it without terms-kit:
    ``openssl cms -verify -binary -inform DER -in X.p7s -content X -CAfile seal-cert.pem``.
    """
    import asyncio

    signer = get_signer()
    content_info = _outside_event_loop(lambda: asyncio.run(
        signer.async_sign_general_data(data, "sha256", detached=True)))
    return content_info.dump()


def check_detached(data, signature):
    """True when ``signature`` (DER CMS) is a valid seal-key signature of exactly ``data``."""
    import asyncio

    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import async_validate_detached_cms

    certificate, context = _trust_context()
    try:
        signed_data = cms.ContentInfo.load(signature)["content"]
        status = _outside_event_loop(lambda: asyncio.run(async_validate_detached_cms(
            data, signed_data, signer_validation_context=context)))
    except Exception:  # a damaged or foreign signature is simply not ours
        return False
    return bool(status.bottom_line and status.signing_cert.dump() == certificate.dump())


def _outside_event_loop(function, *args):
    """pyHanko's sync API calls asyncio.run(), which fails in a thread that runs an event loop
    (an ASGI server, a browser-test driver): run it in a worker thread there."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


def make_self_signed(directory, common_name="terms-kit demo seal", days=3650):
    """Write a self-signed seal certificate and its key (PEM) for the demo; returns the paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "terms-kit demo"),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
    ])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "seal-cert.pem", directory / "seal-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))
    key_path.chmod(0o600)
    return cert_path, key_path
