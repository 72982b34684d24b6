"""Where shipped packs are found: inside an installed wheel, else the source tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from gradtutor.tutor import resources

REPO_EXERCISES = Path(__file__).resolve().parents[1] / "exercises"


def test_source_tree_uses_the_top_level_exercises_directory() -> None:
    assert resources.exercises_dir() == REPO_EXERCISES
    assert resources.lessons_dir() == REPO_EXERCISES / "lessons"


def test_installed_package_uses_its_bundled_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "_exercises").mkdir()
    monkeypatch.setattr(resources.resources, "files", lambda package: tmp_path)
    assert resources.exercises_dir() == tmp_path / "_exercises"
