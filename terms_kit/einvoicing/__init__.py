"""E-invoicing: Factur-X (CII XML, profile EN 16931, in a PDF/A-3) for invoices and credit
notes; cii.py builds the XML, vat.py decides each rate's VAT category, validation.py checks
XSD and schematrons offline, facturx.py embeds and extracts. docs/einvoicing.md."""
