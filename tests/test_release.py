"""What a release carries: one version string, a licence that matches pyproject.toml, and a
changelog in Keep a Changelog form."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from importlib import metadata
from pathlib import Path

import pytest
from packaging.version import Version

import footmap

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_the_version_is_the_installed_distributions() -> None:
    assert footmap.__version__ == metadata.version("footmap")


def test_the_version_is_the_one_in_pyproject() -> None:
    assert footmap.__version__ == PYPROJECT["version"], (
        "the installed metadata is stale: reinstall (pip install -e '.[dev]') after changing the version"
    )


def test_a_source_tree_that_was_never_installed_has_a_valid_version(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(footmap._metadata, "version", not_installed)
    version = footmap._installed_version()
    assert Version(version) < Version("0.0.1")
    assert version == "0+unknown"


def test_the_licence_matches_pyproject() -> None:
    licence = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert PYPROJECT["license"] == "MIT"
    assert licence.startswith("MIT License\n")
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in licence
    holders = re.search(r"^Copyright \(c\) \d{4} (.+)$", licence, re.M)
    assert holders is not None
    assert holders.group(1) == ", ".join(author["name"] for author in PYPROJECT["authors"])


#: A release heading of Keep a Changelog: ``## [1.2.0] - 2026-01-31``.
RELEASE = re.compile(r"^## \[(?P<version>[^\]]+)\] - (?P<date>\d{4}-\d{2}-\d{2})$")
KINDS = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def test_the_changelog_keeps_a_changelog() -> None:
    lines = (REPO / "CHANGELOG.md").read_text(encoding="utf-8").splitlines()
    sections = [line for line in lines if line.startswith("## ")]
    assert sections[0] == "## [Unreleased]", "the newest section is [Unreleased]"
    releases = [RELEASE.match(line) for line in sections[1:]]
    assert all(releases), f"a release heading is '## [x.y.z] - YYYY-MM-DD': {sections[1:]}"
    versions = [Version(match["version"]) for match in releases if match]
    dates = [date.fromisoformat(match["date"]) for match in releases if match]
    assert versions == sorted(versions, reverse=True) and dates == sorted(dates, reverse=True)
    kinds = {line.removeprefix("### ") for line in lines if line.startswith("### ")}
    assert kinds <= KINDS, f"change kinds are Keep a Changelog's: {sorted(kinds - KINDS)}"
    released = {str(version) for version in versions}
    # The version in pyproject.toml is either released (it has its section) or the next release.
    assert all(Version(PYPROJECT["version"]) > version for version in versions) or (
        PYPROJECT["version"] in released
    )
