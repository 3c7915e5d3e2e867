from pathlib import Path

from django.core.management.base import CommandError

from ..documents.sealing import make_self_signed

HELP = ("Make a self-signed seal certificate and key (demo only; production uses a "
        "certificate from a trust service provider).")


def add_arguments(parser):
    parser.add_argument("--out", required=True, help="folder for seal-cert.pem and seal-key.pem")
    parser.add_argument("--force", action="store_true", help="replace an existing certificate")


def run(command, options):
    out = Path(options["out"])
    if (out / "seal-cert.pem").exists() and not options["force"]:
        command.stdout.write(f"{out / 'seal-cert.pem'} exists; kept (use --force to replace).")
        return
    try:
        cert, key = make_self_signed(out)
    except OSError as exc:
        raise CommandError(f"Cannot write to {out}: {exc.strerror}.") from exc
    command.stdout.write(
        f"Wrote {cert} and {key}. Set TERMS_KIT['SEAL_CERTIFICATE'] and TERMS_KIT['SEAL_KEY'] "
        "to these paths."
    )
