"""Settings of a real `manage.py db_worker` started by test_faults.py: the test settings, on the
test's own PostgreSQL database, with the database task backend and the test's S3 bucket."""

import json
import os

from wagtail_site.settings.test import *  # noqa: F401,F403
from wagtail_site.settings.test import DATABASES, STORAGES

DATABASES["default"]["NAME"] = os.environ["TERMS_KIT_FAULT_DB_NAME"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
STORAGES = {**STORAGES, "terms_kit": json.loads(os.environ["TERMS_KIT_FAULT_STORAGE"])}
TERMS_KIT = json.loads(os.environ["TERMS_KIT_FAULT_TERMS_KIT"])
