"""The two ways a command fails, and the exit codes `xieshang.cli.main` gives them."""


class UsageError(Exception):
    """Bad arguments: exit 2."""


class CommandError(Exception):
    """The command could not do its job: exit 1."""
