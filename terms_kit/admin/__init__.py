"""Wagtail admin for terms-kit: viewsets, per-expert isolation, status and publish actions."""
