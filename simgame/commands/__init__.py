"""Subcommand groups beyond the core ones; each module here has `register(subparsers)`.

Keeping each group in its own module lets records, authoring tools and the game window
grow their commands without all editing cli.py.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil


def register_all(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Call `register(sub)` of every module in this package, in name order."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(sub)
