"""One exception family for everything a user can get wrong.

Every error carries a one-line default message so the CLI can print it as is.
"""

from __future__ import annotations


class EcoplanError(ValueError):
    """Base of all ecoplan errors; `str(err)` is a one-line message for users."""

    message = "ecoplan error"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)


class InputError(EcoplanError):
    """The input could not be read (missing, a directory, no permission)."""

    message = "cannot read input"


class DecodeError(EcoplanError):
    """The input is binary or in an encoding ecoplan cannot decode."""

    message = "input is not text in a supported encoding (UTF-8, UTF-16 with BOM, GB18030)"


class ReadError(EcoplanError):
    """A PDF, Word file or web page that cannot be read (damaged, encrypted, no text, no reader installed)."""

    message = "cannot read the document"


class OutputError(EcoplanError):
    """The output could not be written."""

    message = "cannot write output"


class UsageError(EcoplanError):
    """The command line asks for something ecoplan will not do (exit status 2)."""

    message = "usage error"


class StdoutError(OutputError):
    """Standard output could not be written (a full disk, an I/O error): the run stops."""

    message = "<stdout>: cannot write"


class StdoutClosed(Exception):
    """Whoever read standard output stopped reading (`| head`): the run ends quietly."""

