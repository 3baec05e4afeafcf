"""A pytest plugin loaded before Django is configured (``-p icihub.testenv`` in
pyproject.toml): pytest-django sets Django up before conftest.py is read, so
the test environment is chosen here. Tests keep their files (secret key,
uploads, generated documents) in ``var/test``, away from the data of
``make run``."""

import os
from pathlib import Path

os.environ.setdefault(
    "ICIHUB_DATA_DIR", str(Path(__file__).resolve().parent.parent / "var" / "test")
)
# The test suite counts rate limits in each process's memory (the autouse
# fixture that empties the cache runs in tests without a database too) and runs
# enqueued tasks at once; icihub.operations' tests switch to the shared backends.
os.environ.setdefault("ICIHUB_CACHE_URL", "locmem://")
os.environ.setdefault("ICIHUB_TASKS_BACKEND", "immediate")
# Repeated reads answered from the cache (core/pagecache.py): off, so that a test
# that writes beside the server (a browser test's own set-up) sees its rows;
# its own tests turn it on.
os.environ.setdefault("ICIHUB_PAGE_CACHE_SECONDS", "0")
# The tests load the small demo (its first year and the sourced examples).
os.environ.setdefault("ICIHUB_DEMO_SIZE", "small")
# No collectstatic in the tests: static files are served from the sources, by
# their own names (test_static_files.py collects into a temporary folder).
os.environ.setdefault(
    "ICIHUB_STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage"
)
# whitenoise warns about a missing STATIC_ROOT on every live-server test
(Path(os.environ["ICIHUB_DATA_DIR"]) / "static").mkdir(parents=True, exist_ok=True)
