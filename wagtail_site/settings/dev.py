from .base import *  # noqa: F401,F403

DEBUG = True
SECRET_KEY = "dev-only-not-secret-0c1f2a"  # noqa: S105 - the demo on 127.0.0.1 only
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Chain checkpoints (`termskit checkpoint`, queued after each acceptance) are e-mailed here:
# printed on the console like every demo e-mail.
ADMINS = [("terms-kit demo", "admin@demo.invalid")]
