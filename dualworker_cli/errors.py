"""Errors the CLI turns into a one-line message and an exit status (never a traceback)."""


class DualworkerError(Exception):
    """A problem the user can fix; ``exit_code`` 2 means bad usage or input."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
