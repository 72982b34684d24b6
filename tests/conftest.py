"""Test-wide settings.

Hypothesis runs derandomized: the same examples every run, so CI cannot flake on an
example nobody has seen before; set HYPOTHESIS_PROFILE=explore to search afresh.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
