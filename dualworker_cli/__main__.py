"""`python -m dualworker_cli` runs the CLI (used by tests that need a real terminal)."""

from dualworker_cli.cli import app

app(prog_name="dualworker")
