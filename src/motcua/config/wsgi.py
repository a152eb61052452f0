from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")
application = get_wsgi_application()

# Load the URLconf (and with it the API, pyHanko, typst …) now, in each worker as it starts, rather than on
# its first request: otherwise the first citizens after a (re)start wait seconds for the imports.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
