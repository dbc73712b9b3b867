"""Subcommands of the ``evalkit`` CLI, one module each with ``register(subparsers)``."""
