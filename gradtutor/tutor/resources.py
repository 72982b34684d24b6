"""Where the shipped exercise packs and lessons live.

A wheel carries the top-level ``exercises/`` directory as ``gradtutor/_exercises``
(see pyproject's force-include); a source tree or editable install reads the
repository's ``exercises/`` directly.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def exercises_dir() -> Path:
    """The directory of shipped packs (``*.toml``) and lessons (``lessons/*.md``)."""
    installed = Path(str(resources.files("gradtutor") / "_exercises"))
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "exercises"


def lessons_dir() -> Path:
    """The directory of shipped lesson texts."""
    return exercises_dir() / "lessons"
