"""The terms wizard: a guided path in the Wagtail admin over the same engagement model.

``steps`` lists the steps and when they apply, ``forms`` holds one form per step,
``views`` are thin, and every write goes through ``terms_kit.services.drafts``.
"""
