"""The two ways a command fails, and the exit codes `xieshang.cli.main` gives them."""

from pathlib import Path


class UsageError(Exception):
    """Bad arguments: exit 2."""


class CommandError(Exception):
    """The command could not do its job: exit 1."""


class OutputError(CommandError):
    """Standard output would not take what the command printed (a full disk, a closed
    stream): exit 1, but a load that committed exits 0 all the same (interfaces.md)."""


def cannot_print(why: str) -> OutputError:
    return OutputError(
        f"cannot write to standard output ({why}): send it where it can be written "
        "(> FILE on a disk with room), or > /dev/null to discard it"
    )


def cannot_write(path: Path, exc: OSError) -> str:
    """The line for an --output the system would not write."""
    return (
        f"cannot write {path}: {exc.strerror or exc}; give a file in a folder that exists "
        "and that you may write to"
    )
