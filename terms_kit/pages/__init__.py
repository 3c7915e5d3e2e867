"""Public Wagtail pages of terms-kit: terms pages, offer pages, and blocks for host sites.

The page models live in ``terms_kit.models.pages`` (Django finds models there); this package
holds what they use: the version lineage of a terms page, the StreamField blocks, the
booking form and the admin forms that keep an expert to their own records.
"""
