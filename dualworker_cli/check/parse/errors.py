"""The one error type every parser raises, carrying a location for the exit-2 one-liner."""

from __future__ import annotations


class ParseError(Exception):
    """Input that cannot be read or parsed; ``str()`` is ``path:line:col: message``."""

    def __init__(self, message: str, path: str = "<input>", line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.col = col

    def __reduce__(self) -> tuple[type[ParseError], tuple[str, str, int, int]]:
        """Pickled whole (a process of a split run sends it back; ``parallel``)."""
        return (ParseError, (self.message, self.path, self.line, self.col))

    def with_path(self, path: str) -> ParseError:
        """The same error attributed to ``path`` (parsers work on text and do not know it)."""
        return ParseError(self.message, path, self.line, self.col)

    def __str__(self) -> str:
        if self.line <= 0:  # about a folder or a path, not a place in a file
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}:{self.col}: {self.message}"
