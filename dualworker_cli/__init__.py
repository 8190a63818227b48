"""dualworker: generate, lint and update Cloudflare dual-worker projects."""

# The single source of the version (pyproject reads it through hatch). A literal, not
# importlib.metadata: reading package metadata costs ~0.1 s on every `dualworker` start.
__version__ = "0.1.0"
