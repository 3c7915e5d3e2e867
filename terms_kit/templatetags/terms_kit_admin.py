"""Filters for the admin pages: ``tk_date``, ``tk_datetime``, ``tk_money``, ``tk_number``
(in the reader's language, terms_kit/admin/formatting.py)."""

from django import template

from ..admin import formatting

register = template.Library()

register.filter("tk_date", formatting.admin_date)
register.filter("tk_datetime", formatting.admin_datetime)
register.filter("tk_money", formatting.admin_money)
register.filter("tk_number", formatting.admin_number)
