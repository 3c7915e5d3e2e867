"""StreamField blocks: the parts of an offer page, and three blocks for any page of a host site.

Prices, payment conditions and duration are never typed into a block: they are read from the
offer's quote template (the draft engagement the booking copies), so the page cannot promise
a price or a payment model different from the quote the client will sign.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class OfferPriceBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), required=False)

    class Meta:
        icon = "form"
        label = _("Price lines (from the quote template)")
        template = "terms_kit/blocks/offer_price.html"


class OfferPaymentBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), required=False)

    class Meta:
        icon = "doc-full"
        label = _("Payment model and deposit (from the quote template)")
        template = "terms_kit/blocks/offer_payment.html"


class OfferDurationBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), required=False)
    note = blocks.TextBlock(label=_("note"), required=False,
                            help_text=_("Shown under the duration of the quote template."))

    class Meta:
        icon = "time"
        label = _("Duration (from the quote template)")
        template = "terms_kit/blocks/offer_duration.html"


class FaqItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("question"))
    answer = blocks.TextBlock(label=_("answer"))


class ExpertProfileBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), required=False)
    photo = ImageChooserBlock(label=_("photo"), required=False)
    bio = blocks.TextBlock(label=_("presentation"), required=False)

    class Meta:
        icon = "user"
        label = _("Expert's profile")
        template = "terms_kit/blocks/expert_profile.html"


class OfferContentBlock(blocks.StreamBlock):
    description = blocks.RichTextBlock(label=_("Description"),
                                       features=["h2", "h3", "bold", "italic", "ol", "ul", "link"],
                                       template="terms_kit/blocks/description.html")
    deliverables = blocks.ListBlock(blocks.CharBlock(label=_("deliverable")),
                                    label=_("Deliverables"),
                                    template="terms_kit/blocks/deliverables.html")
    price = OfferPriceBlock()
    payment = OfferPaymentBlock()
    duration = OfferDurationBlock()
    faq = blocks.ListBlock(FaqItemBlock(), label=_("Questions and answers"),
                           template="terms_kit/blocks/faq.html")
    expert = ExpertProfileBlock()


# --- Blocks for any page of a host site ----------------------------------------------------

class PaymentConditionsBlock(blocks.StructBlock):
    offer = blocks.PageChooserBlock(label=_("offer"), page_type="terms_kit.OfferPage")
    heading = blocks.CharBlock(label=_("heading"), required=False)

    class Meta:
        icon = "doc-full"
        label = _("Payment conditions of an offer")
        template = "terms_kit/blocks/payment_conditions.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        offer = value["offer"].specific if value["offer"] else None
        context["offer"] = offer if offer is not None and offer.live else None
        return context


class TermsExcerptBlock(blocks.StructBlock):
    terms_page = blocks.PageChooserBlock(label=_("terms page"), page_type="terms_kit.TermsPage")
    sections = blocks.IntegerBlock(label=_("sections shown"), default=2, min_value=1,
                                   max_value=20)

    class Meta:
        icon = "doc-full-inverse"
        label = _("Terms excerpt with a link to the full text")
        template = "terms_kit/blocks/terms_excerpt.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        page = value["terms_page"].specific if value["terms_page"] else None
        context["terms_page"] = page if page is not None and page.live else None
        if context["terms_page"] is not None:
            current = page.series().current
            sections = page.sections_of(current) if current else []
            context["current"] = current
            context["sections"] = sections[: value["sections"]]
        return context


class AcceptAndPayBlock(blocks.StructBlock):
    offer = blocks.PageChooserBlock(label=_("offer"), page_type="terms_kit.OfferPage")
    label = blocks.CharBlock(label=_("button text"), required=False,
                             help_text=_("Empty: “Book / Accept and pay”."))

    class Meta:
        icon = "pick"
        label = _("“Accept and pay” button for an offer")
        template = "terms_kit/blocks/accept_and_pay.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        offer = value["offer"].specific if value["offer"] else None
        context["offer"] = offer if offer is not None and offer.live else None
        return context


class HostSiteBlock(blocks.StreamBlock):
    """The three blocks as one stream, for a host site's own StreamField."""

    payment_conditions = PaymentConditionsBlock()
    terms_excerpt = TermsExcerptBlock()
    accept_and_pay = AcceptAndPayBlock()
