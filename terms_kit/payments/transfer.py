"""Bank transfer: the EPC ("SEPA") QR code a banking app scans (EPC069-12, version 002).

The payload carries the expert's name, IBAN and BIC, the amount and, as remittance text, the
invoice number, so the transfer arrives with the reference the expert looks for.
"""

import base64
import functools
import io
from dataclasses import dataclass
from decimal import Decimal

import segno.helpers

EPC_NAME_MAX = 70
EPC_TEXT_MAX = 140


@dataclass(frozen=True)
class Transfer:
    name: str
    iban: str
    bic: str
    amount: Decimal
    reference: str

    def as_dict(self):
        return {"name": self.name, "iban": self.iban, "bic": self.bic,
                "amount": str(self.amount), "reference": self.reference}


def transfer_for(identity, amount, reference):
    """The transfer details for ``amount``, or None when the expert gave no IBAN."""
    if not identity.iban or amount is None or Decimal(amount) <= 0:
        return None
    return Transfer(name=identity.legal_name[:EPC_NAME_MAX], iban=identity.iban.replace(" ", ""),
                    bic=identity.bic or "", amount=Decimal(amount),
                    reference=reference[:EPC_TEXT_MAX])


def epc_qr(transfer):
    return segno.helpers.make_epc_qr(
        name=transfer.name, iban=transfer.iban, amount=transfer.amount,
        text=transfer.reference or None, bic=transfer.bic or None,
    )


def epc_png(transfer, scale=4):
    buffer = io.BytesIO()
    epc_qr(transfer).save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


@functools.lru_cache(maxsize=512)
def epc_svg_data_uri(transfer, scale=4):
    """An <img src> for the client page: no file, no extra request. Kept per process: drawing
    the code costs ~7 ms of CPU, and the same transfer (a frozen value) always draws the same
    image, so each view of an open instalment would otherwise redraw it."""
    buffer = io.BytesIO()
    epc_qr(transfer).save(buffer, kind="svg", scale=scale, border=2, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")

