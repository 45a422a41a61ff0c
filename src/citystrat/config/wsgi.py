"""WSGI entry point (gunicorn ``citystrat.config.wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citystrat.config.settings.base")
application = get_wsgi_application()
