"""Test-wide settings.

On CI (the ``CI`` environment variable set, as ``.ci/run`` is run), hypothesis draws the same
examples every run, so a submission is judged on a fixed set of cases; on a developer's machine it
draws new ones each run, which is how new edge cases are found.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
