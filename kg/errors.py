"""One root exception; every error kg raises on purpose is a KgError.

The CLI catches KgError once, prints its one-line message on stderr and exits with
`exit_code` (1 for failures, 2 for usage errors). Driver and parser errors are wrapped
`from` their cause, so a library user still sees the chain.
"""

from __future__ import annotations


class KgError(Exception):
    """Root of kg's errors."""

    exit_code = 1


class ConfigError(KgError):
    """The configuration is incomplete or contradictory."""


class ServerError(KgError):
    """The local server could not be provisioned, started or stopped."""


class ConnectionFailed(KgError):
    """The Neo4j server could not be reached or refused the credentials."""


class ValidationFailed(KgError):
    """Seed files are invalid; `problems` holds one `file:line: message` string each (or, for a
    spreadsheet, `file: sheet S, row R, column C: message`); `where` says what holds them."""

    def __init__(self, problems: list[str], where: str = "in the seed files") -> None:
        self.problems = problems
        count = len(problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} {where}")


class UsageError(KgError):
    """The caller asked for something that does not exist or passed bad parameters."""

    exit_code = 2


class QueryError(KgError):
    """A query failed on the server or was refused by a guard."""
