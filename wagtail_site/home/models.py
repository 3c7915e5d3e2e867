from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from terms_kit.pages.blocks import HostSiteBlock
from terms_kit.pages.cache import mark_public


class HomePage(Page):
    intro = RichTextField(_("introduction"), blank=True)
    # The host-site blocks of terms_kit, as any Wagtail site would use them.
    body = StreamField(HostSiteBlock(), verbose_name=_("content"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]

    class Meta:
        verbose_name = _("home page")

    def serve(self, request, *args, **kwargs):
        # The same for every anonymous visitor: served from the shared cache afterwards, as
        # terms_kit's own pages are (terms_kit/pages/cache.py).
        response = super().serve(request, *args, **kwargs)
        return response if getattr(request, "is_preview", False) else mark_public(response)

    def get_context(self, request, *args, **kwargs):
        from terms_kit.models import OfferPage, TermsPage

        context = super().get_context(request, *args, **kwargs)
        children = self.get_children().live()
        context["offers"] = OfferPage.objects.child_of(self).live().order_by("path")
        context["terms_pages"] = TermsPage.objects.child_of(self).live().order_by("path")
        context["children"] = children
        return context
