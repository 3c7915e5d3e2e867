"""The client's money pages: invoice downloads through the personal link (token-checked)."""

from ..acceptance.ratelimit import rate_limited
from ..acceptance.views import _file, error_page, with_link
from ..models import Invoice


@rate_limited("client", methods=("GET",))
@with_link
def invoice_download(request, token, link, pk, fmt):
    # Only this link's engagement: another engagement's invoice id is simply not found.
    invoice = (Invoice.objects.filter(engagement_id=link.engagement_id, pk=pk)
               .select_related("issued_document").first())
    if invoice is None or invoice.document is None or fmt not in ("pdf", "docx"):
        return error_page(request, 404)
    content_type = ("application/pdf" if fmt == "pdf" else
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    return _file(getattr(invoice.document, fmt), content_type, f"{invoice.number}.{fmt}")
