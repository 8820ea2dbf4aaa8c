"""The wheel carries every code package and every file of data/ and conversations/.

Building a wheel is slow, so these tests read pyproject.toml the way setuptools
does and check it against the tree. (The manual proof, a wheel installed in a
fresh venv and run from ``/``, is described in the README's deploy section.)
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path
from typing import Any

from resource_bot import paths

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ("data", "conversations")


def _setuptools() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        config: dict[str, Any] = tomllib.load(handle)["tool"]["setuptools"]
    return config


def _folder_of(package: str, package_dir: dict[str, str]) -> Path:
    """Where setuptools looks for ``package``: its nearest mapped parent, then the rest of its name."""
    parts = package.split(".")
    for cut in range(len(parts), -1, -1):
        prefix = ".".join(parts[:cut])
        if prefix in package_dir:
            return ROOT / package_dir[prefix] / Path(*parts[cut:])
    raise AssertionError(f"{package} has no folder in [tool.setuptools.package-dir]")


def test_every_code_package_is_in_the_wheel() -> None:
    listed = set(_setuptools()["packages"])
    source = ROOT / "src"
    found = {".".join(init.parent.relative_to(source).parts) for init in source.rglob("__init__.py")}
    missing = sorted(found - listed)
    assert not missing, f"add {missing} to [tool.setuptools] packages in pyproject.toml"


def test_every_folder_of_data_and_conversations_is_in_the_wheel() -> None:
    config = _setuptools()
    listed = set(config["packages"])
    for name in BUNDLED:
        top = ROOT / name
        for folder in [top, *sorted(p for p in top.rglob("*") if p.is_dir() and "__pycache__" not in p.parts)]:
            package = ".".join(("resource_bot", "bundled", name, *folder.relative_to(top).parts))
            assert package in listed, f"add {package!r} to [tool.setuptools] packages in pyproject.toml"
            assert _folder_of(package, config["package-dir"]) == folder


def test_every_bundled_file_matches_a_package_data_pattern() -> None:
    patterns = _setuptools()["package-data"]["*"]
    files = [p for name in BUNDLED for p in (ROOT / name).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert any(p.suffix == ".md" for p in files), "the folders' READMEs should ship too"
    left_out = [str(p.relative_to(ROOT)) for p in files if not any(fnmatch.fnmatch(p.name, pat) for pat in patterns)]
    assert not left_out, f"these would not reach the wheel: {left_out}"


def test_every_file_beside_the_code_matches_a_package_data_pattern() -> None:
    patterns = _setuptools()["package-data"]["*"]
    package = ROOT / "src" / "resource_bot"
    files = [p for p in package.rglob("*") if p.is_file() and p.suffix not in {".py", ".pyc"}]
    left_out = [str(p.relative_to(ROOT)) for p in files if not any(fnmatch.fnmatch(p.name, pat) for pat in patterns)]
    assert not left_out, f"these would not reach the wheel: {left_out}"


def test_the_package_says_it_is_typed() -> None:
    assert "py.typed" in _setuptools()["package-data"]["*"]
    assert (ROOT / "src" / "resource_bot" / "py.typed").is_file()


def test_a_checkout_or_editable_install_reads_the_repositorys_own_folders() -> None:
    assert paths.data_dir() == ROOT / "data"
    assert paths.conversations_dir() == ROOT / "conversations"
