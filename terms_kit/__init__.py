"""terms-kit: clear terms, accepted before the work, for independent experts."""

__version__ = "0.1.0"
