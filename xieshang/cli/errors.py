"""The two ways a command fails, and the exit codes `xieshang.cli.main` gives them."""

from pathlib import Path


class UsageError(Exception):
    """Bad arguments: exit 2."""


class CommandError(Exception):
    """The command could not do its job: exit 1."""


def cannot_write(path: Path, exc: OSError) -> str:
    """The line for an --output the system would not write."""
    return (
        f"cannot write {path}: {exc.strerror or exc}; give a file in a folder that exists "
        "and that you may write to"
    )
