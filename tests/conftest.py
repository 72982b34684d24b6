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


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory, monkeypatch):
    """Every test gets its own GRADTUTOR_HOME: a test that forgets can't write the real one."""
    monkeypatch.setenv("GRADTUTOR_HOME", str(tmp_path_factory.mktemp("home")))
