"""Reading Factur-X invoices back: the stored PDF, its XML, the XML's totals."""

from decimal import Decimal

from lxml import etree

from terms_kit.einvoicing.cii import NSMAP
from terms_kit.einvoicing.pdf import extract

SUMMATION = ("//ram:ApplicableHeaderTradeSettlement/"
             "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:")


def stored_pdf(invoice):
    document = invoice.document
    with document.pdf.storage.open(document.pdf.name, "rb") as handle:
        return handle.read()


def xml_of(invoice):
    filename, xml = extract(stored_pdf(invoice))
    assert filename == "factur-x.xml"
    return xml


def totals(xml):
    """BT-106, 109, 110, 112, 113, 115 of a CII XML, as Decimals."""
    tree = etree.fromstring(xml)
    names = ("LineTotalAmount", "TaxBasisTotalAmount", "TaxTotalAmount", "GrandTotalAmount",
             "TotalPrepaidAmount", "DuePayableAmount")
    return {name: Decimal(tree.xpath(SUMMATION + name, namespaces=NSMAP)[0].text)
            for name in names}


def first(xml, path):
    found = etree.fromstring(xml).xpath(path, namespaces=NSMAP)
    return found[0].text if found else None
