"""The `xieshang` console script: the top layer, over every other package."""

from xieshang.cli.main import main

__all__ = ["main"]
