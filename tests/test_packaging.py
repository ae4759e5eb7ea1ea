"""The distribution installs one import name, `xieshang`, with every package in it."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _packages_on_disk() -> set[str]:
    # through the links xieshang/etl and xieshang/dashboard, as setuptools walks them
    return {
        ".".join(Path(folder).relative_to(ROOT).parts)
        for folder, _, files in os.walk(ROOT / "xieshang", followlinks=True)
        if "__init__.py" in files
    }


def test_pyproject_lists_every_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert set(config["tool"]["setuptools"]["packages"]) == _packages_on_disk()


@pytest.mark.slow
def test_the_wheel_holds_only_xieshang(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("xieshang-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {
        name.split("/")[0]
        for name in names
        if not name.split("/")[0].endswith((".dist-info", ".data"))
    }
    assert top == {"xieshang"}
    for module in (
        "xieshang/etl/load.py",
        "xieshang/dashboard/app.py",
        "xieshang/dashboard/pages/overview.py",
        "xieshang/warehouse/schema.py",
    ):
        assert module in names
