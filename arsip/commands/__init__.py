"""Subcommands of `arsip`: each module has `register(subparsers)`; its parser's
`func` default is `run(args) -> int`."""
