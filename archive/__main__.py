"""``python -m archive`` is ``vngov``."""

from archive.cli import cli

cli(prog_name="vngov")
