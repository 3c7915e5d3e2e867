"""An invoice's document points to the invoice (made after the commit, by a task), instead
of the invoice pointing to its document: the invoice row is never updated."""

import django.db.models.deletion
from django.db import migrations, models


def point_documents_to_invoices(apps, schema_editor):
    Invoice = apps.get_model("terms_kit", "Invoice")
    IssuedDocument = apps.get_model("terms_kit", "IssuedDocument")
    for invoice_id, document_id in (Invoice.objects.exclude(document=None)
                                    .values_list("pk", "document_id")):
        IssuedDocument.objects.filter(pk=document_id).update(invoice_id=invoice_id)


def point_invoices_to_documents(apps, schema_editor):
    Invoice = apps.get_model("terms_kit", "Invoice")
    IssuedDocument = apps.get_model("terms_kit", "IssuedDocument")
    for document_id, invoice_id in (IssuedDocument.objects.exclude(invoice=None)
                                    .values_list("pk", "invoice_id")):
        Invoice.objects.filter(pk=invoice_id).update(document_id=document_id)


class Migration(migrations.Migration):

    dependencies = [
        ("terms_kit", "0015_document_kinds_notice_and_plan"),
    ]

    operations = [
        migrations.AddField(
            model_name="issueddocument",
            name="invoice",
            field=models.OneToOneField(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="issued_document", to="terms_kit.invoice",
                verbose_name="invoice"),
        ),
        migrations.RunPython(point_documents_to_invoices, point_invoices_to_documents),
        migrations.RemoveField(
            model_name="invoice",
            name="document",
        ),
    ]
