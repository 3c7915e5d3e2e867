# Makes the project root importable for pytest (terms_kit, wagtail_site).
