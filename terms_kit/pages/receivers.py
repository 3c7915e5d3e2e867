"""Signal receivers of the public pages."""


def on_work_may_start(sender, engagement, **kwargs):
    """An engagement booked on an offer page is confirmed to both sides once the work may
    start; the e-mails go through a task, never inside a webhook's request."""
    from ..models import OfferBooking
    from ..tasks import mail_booking_confirmed

    if OfferBooking.objects.filter(engagement_id=engagement.pk).exists():
        mail_booking_confirmed.enqueue(engagement.pk)
