"""The PostgreSQL server the store tests run against.

``SHOPKIT_POSTGRES_URL`` names one; otherwise a throw-away server is started for the session
(``shopkit.testing._postgres``). Where no PostgreSQL programs are installed the PostgreSQL
tests are skipped on a developer's machine, and fail on CI (``CI`` set), where ``.ci/run``
installs them.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator

import pytest

from shopkit.testing._postgres import PostgresUnavailableError, shared_postgres

_SCHEMAS = itertools.count()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    try:
        return shared_postgres()
    except PostgresUnavailableError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(error))


@pytest.fixture
def fresh_schema(postgres_url: str) -> Iterator[Callable[[], str]]:
    """Make names of empty schemas, one per call, each dropped at the end of the test."""
    import psycopg

    made: list[str] = []

    def make() -> str:
        name = f"t{os.getpid()}_{next(_SCHEMAS)}"
        made.append(name)
        return name

    yield make
    if made:
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            for name in made:
                connection.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
