"""The admin's file field for terms-kit's private files.

Django's file widget links the current file to ``storage.url()``: terms-kit's files have no
public URL (terms_kit/storage.py), so the link goes to the owner-checked download view.
"""

from django.forms import ClearableFileInput
from django.urls import reverse

from .ownership import OwnedModelForm


class PrivateFileInput(ClearableFileInput):
    template_name = "terms_kit/widgets/private_file_input.html"
    download_url = None

    def is_initial(self, value):
        return bool(value and getattr(value, "name", None))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["download_url"] = self.download_url
        return context


class ExpertTemplateForm(OwnedModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        widget = PrivateFileInput()
        if self.instance.pk:
            widget.download_url = reverse("terms_kit_template_download", args=[self.instance.pk])
        self.fields["file"].widget = widget
