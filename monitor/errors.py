"""One exception tree for figmon.

Every error carries a message that says what went wrong *and* what to do next
(``hint``).  Only ``cli.py`` turns these into exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One located problem in a file: used by config and rule validation."""

    file: str
    line: int | None  # 1-based
    column: int | None  # 1-based
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class FigmonError(Exception):
    """Base of every error figmon raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  {self.hint}" if self.hint else self.message


class ValidationError(FigmonError):
    """One or more problems found in a file before anything ran."""

    def __init__(self, problems: list[Problem], what: str = "file") -> None:
        # In file order, as an editor would walk them.
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or 0))
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in {what}:"
        body = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{head}\n{body}", "Fix the lines named above and run again.")

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}"


class ConfigError(ValidationError):
    """figmon.yaml is missing, malformed or has wrong keys/values."""


class RuleError(ValidationError):
    """A rule file under rules/ is malformed."""


class InputError(FigmonError):
    """Input given on the command line or stdin cannot be used."""


class ArticleError(InputError):
    """An article file cannot be read or parsed."""


class SourceError(FigmonError):
    """A source could not be fetched; recorded per source, the run goes on."""


class FetchError(SourceError):
    """An HTTP fetch failed (timeout, status, size cap, redirect loop...)."""

    def __init__(self, message: str, hint: str = "", *, url: str = "",
                 status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, hint)
        self.url = url
        self.status = status
        self.retry_after = retry_after


class StoreError(FigmonError):
    """The SQLite database cannot be opened, migrated or written."""


class LockError(StoreError):
    """Another figmon daemon already holds the database."""


class DeliveryError(FigmonError):
    """A digest could not be delivered."""

    permanent = False


class PermanentDeliveryError(DeliveryError):
    """The mail server refused for good (5xx): do not retry."""

    permanent = True


class TemporaryDeliveryError(DeliveryError):
    """The mail server is down or answered 4xx: retry with back-off."""


class ReadError(ArticleError):
    """A file could not be read at all (permissions, I/O): retried on the next run,
    unlike a file that was read and found bad, which waits until it changes."""


class RunFailed(FigmonError):
    """`run --once` did all it could, but a source, the digest or a delivery failed."""

    exit_code = 3


class EncodingError(ArticleError):
    """Text that is UTF-8 but for a few broken bytes: refused rather than garbled."""
