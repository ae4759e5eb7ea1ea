"""A program a test needs from the machine: its path; without it the test is skipped on
a developer's machine and fails in CI (XIESHANG_REQUIRE_PG=1), where
scripts/install-test-deps installs every one."""

from __future__ import annotations

import os
import shutil

import pytest


def required_program(name: str) -> str:
    """The path of `name`, looked up on PATH and in the system's sbin folders (nginx is
    there, off a user's PATH)."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin")
    if found is None:
        message = f"{name} is not installed (scripts/install-test-deps installs it)"
        if os.environ.get("XIESHANG_REQUIRE_PG") == "1":
            pytest.fail(message + " (XIESHANG_REQUIRE_PG=1: CI installs every tool)")
        pytest.skip(message)
    return found
