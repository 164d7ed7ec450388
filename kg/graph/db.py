"""The connection to Neo4j: one driver per `Database`, errors wrapped in kg's own."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar

import neo4j
from neo4j import exceptions as nx

from kg.config import Settings
from kg.errors import ConnectionFailed, QueryError, UsageError

FIX = "start one with `kg db up`, or set NEO4J_URI (and NEO4J_PASSWORD) to a server you run"


@dataclass(frozen=True)
class ServerInfo:
    uri: str
    version: str
    edition: str


def clean(value: Any) -> Any:
    """Plain JSON-able values; keys whose value is null are dropped from maps."""
    if type(value) is str:  # most values: taken as they are, without the checks below (kg site's rows)
        return value
    if isinstance(value, dict):
        return {k: v if type(v) is str else clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [v if type(v) is str else clean(v) for v in value]
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


def _redact(text: str, secret: str | None) -> str:
    """One line, without the password."""
    text = " ".join(str(text).split())
    return text.replace(secret, "***") if secret else text


_SCALARS = (str, int, float, type(None))  # bool is an int


def _plain(value: Any) -> bool:
    """Whether a value is text, a number, a boolean, null, or a list or map of those."""
    if isinstance(value, _SCALARS):
        return True
    if type(value) is list:
        return all(_plain(v) for v in value)
    if type(value) is dict:
        return all(_plain(v) for v in value.values())
    return False


def _row(record: neo4j.Record) -> dict[str, Any]:
    """A record as a dict, as `Record.data()` gives it; a row of plain values (what the named
    questions return) is taken as it is, since data()'s generic walk over every value cost more
    than the query itself on a 100-row answer."""
    values = record.values()
    if all(_plain(v) for v in values):
        return dict(zip(record.keys(), values, strict=True))
    return record.data()


T = TypeVar("T")


def answer(tx: neo4j.ManagedTransaction, cypher: str,
           params: Mapping[str, Any] | None = None) -> tuple[list[str], list[dict[str, Any]]]:
    """The column names (known even when no row comes back) and the rows of `cypher` in `tx`."""
    result = tx.run(cypher, dict(params or {}))
    return list(result.keys()), [_row(r) for r in result]


class Database:
    """A Neo4j connection built from kg's configuration.

    >>> with Database.connect() as db:          # doctest: +SKIP
    ...     db.read("RETURN 1 AS one")
    [{'one': 1}]
    """

    #: how long a transaction that failed with a transient error (a deadlock, the server briefly away)
    #: is tried again
    retry_seconds = 15.0
    #: how long a transaction waits for a connection, a new one included (its handshake and login)
    acquire_seconds = 60.0

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        auth = (settings.username, settings.password or "")
        try:
            self.driver = neo4j.GraphDatabase.driver(
                settings.uri, auth=auth, connection_timeout=5.0, max_transaction_retry_time=self.retry_seconds,
                connection_acquisition_timeout=self.acquire_seconds,
                user_agent="kg", notifications_min_severity="OFF",
            )
        except (ValueError, nx.ConfigurationError) as e:
            raise ConnectionFailed(f"invalid Neo4j URI {settings.uri!r}: {e}") from e

    @classmethod
    def connect(cls, settings: Settings | None = None, *, uri: str | None = None, username: str | None = None,
                password: str | None = None, database: str | None = None) -> Database:
        return cls(settings or Settings.resolve(uri=uri, username=username, password=password, database=database))

    def __enter__(self) -> Database:
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.driver.close()

    @contextmanager
    def errors(self) -> Iterator[None]:
        """Turn driver errors into kg errors with one readable line (never the password)."""
        uri, secret = self.settings.uri, self.settings.password
        try:
            yield
        except nx.AuthError as e:
            raise ConnectionFailed(
                f"Neo4j at {uri} refused the credentials for user {self.settings.username!r}; "
                "set NEO4J_USERNAME/NEO4J_PASSWORD (or use the server `kg db up` started)"
            ) from e
        except (nx.ServiceUnavailable, nx.SessionExpired, OSError) as e:
            raise ConnectionFailed(f"cannot reach Neo4j at {uri}: {FIX}") from e
        except nx.DatabaseUnavailable as e:  # a server stopping (or starting) refuses new transactions
            raise ConnectionFailed(f"Neo4j at {uri} answers, but its database {self.settings.database!r} takes "
                                   "no transactions just now (it is starting or stopping); try again in a moment"
                                   ) from e
        except nx.ClientError as e:
            if e.code and (e.code.endswith("ParameterMissing") or e.code.endswith("SyntaxError")):
                raise UsageError(_redact(f"{e.message}", secret)) from e
            if (e.code or "").endswith("Forbidden") or (e.code or "").endswith("AccessMode"):
                raise QueryError(f"refused: this query would write, and kg only reads here ({e.code})") from e
            raise QueryError(_redact(f"{e.code}: {e.message}", secret)) from e
        except nx.Neo4jError as e:
            raise QueryError(_redact(f"{e.code}: {e.message}", secret)) from e
        except nx.DriverError as e:
            raise ConnectionFailed(_redact(f"Neo4j driver error talking to {uri}: {e}", secret)) from e

    def server_info(self) -> ServerInfo:
        with self.errors():
            self.driver.verify_connectivity()
            records, _, _ = self.driver.execute_query(
                "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition",
                database_="system", routing_=neo4j.RoutingControl.READ,
            )
        row = next((r for r in records if r["name"] == "Neo4j Kernel"), None)
        return ServerInfo(self.settings.uri, row["versions"][0] if row else "?", row["edition"] if row else "?")

    def read(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run `cypher` in a read transaction (the server refuses writes) and return rows as dicts."""

        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            return [_row(r) for r in tx.run(cypher, dict(params or {}))]

        with self.errors(), self.driver.session(database=self.settings.database,
                                                default_access_mode=neo4j.READ_ACCESS) as s:
            return s.execute_read(work)

    def query(self, cypher: str, params: Mapping[str, Any] | None = None) -> tuple[list[str], list[dict[str, Any]]]:
        """Like `read`, with the column names (known even when no row comes back)."""
        return self.in_read(lambda tx: answer(tx, cypher, params))

    def in_read(self, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        """`work` in one read transaction (several statements, one round trip to begin and commit)."""
        with self.errors(), self.driver.session(database=self.settings.database,
                                                default_access_mode=neo4j.READ_ACCESS) as s:
            return s.execute_read(work)

    def write(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run `cypher` in a write transaction and return rows as dicts."""

        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            return [_row(r) for r in tx.run(cypher, dict(params or {}))]

        with self.errors(), self.driver.session(database=self.settings.database) as s:
            return s.execute_write(work)

    def run_auto(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """An auto-commit query, for schema statements and `CALL { } IN TRANSACTIONS`."""
        with self.errors(), self.driver.session(database=self.settings.database) as s:
            return [r.data() for r in s.run(cypher, dict(params or {}))]
