"""A throw-away PostgreSQL server for store tests and benchmarks.

``temporary_postgres()`` yields a libpq connection string. With ``SHOPKIT_POSTGRES_URL`` set it
yields that server's; otherwise it finds PostgreSQL's programs (``initdb`` and ``pg_ctl`` on the
``PATH``, or Debian's ``/usr/lib/postgresql/VERSION/bin``), makes a cluster in a temporary
folder, starts it listening on a unix socket in that folder only (no TCP port), and stops it and
deletes the folder at the end. Run as root, the server runs as the ``postgres`` user (PostgreSQL
refuses to run as root). Durability is switched off: the data is thrown away anyway.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["PostgresUnavailableError", "postgres_programs", "shared_postgres", "temporary_postgres"]


class PostgresUnavailableError(RuntimeError):
    """No PostgreSQL server programs on this machine, or the server would not start."""


def postgres_programs() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, newest version first, or ``None``."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(os.path.realpath(found)).parent
    folders = glob.glob("/usr/lib/postgresql/*/bin")
    for folder in sorted(folders, key=lambda f: int(Path(f).parent.name), reverse=True):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@contextlib.contextmanager
def temporary_postgres() -> Iterator[str]:
    """Yield the connection string of a PostgreSQL server that lasts for the ``with`` block.

    Raises:
        PostgresUnavailableError: no server programs are installed, or the server failed to start.
    """
    given = os.environ.get("SHOPKIT_POSTGRES_URL")
    if given:
        yield given
        return
    programs = postgres_programs()
    if programs is None:
        raise PostgresUnavailableError(
            "no PostgreSQL server programs (initdb, pg_ctl): install Debian's postgresql "
            "package, or set SHOPKIT_POSTGRES_URL"
        )
    folder = Path(tempfile.mkdtemp(prefix="shopkit-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError as error:
            raise PostgresUnavailableError(
                "running as root and there is no postgres user"
            ) from error
        os.chown(folder, user.pw_uid, user.pw_gid)
    log = folder / "server.log"
    run = {"check": True, "capture_output": True, "text": True, "timeout": 120}
    try:
        subprocess.run(
            _as_server_user(
                [
                    str(programs / "initdb"),
                    "--pgdata",
                    str(data),
                    "--username",
                    "shopkit",
                    "--auth",
                    "trust",
                    "--encoding",
                    "UTF8",
                    "--locale",
                    "C",
                    "--no-sync",
                ]
            ),
            **run,  # type: ignore[call-overload]
        )
        options = (
            f"-k {folder} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            _as_server_user(
                [
                    str(programs / "pg_ctl"),
                    "--pgdata",
                    str(data),
                    "--log",
                    str(log),
                    "--options",
                    options,
                    "--wait",
                    "start",
                ]
            ),
            **run,  # type: ignore[call-overload]
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        detail = getattr(error, "stderr", "") or ""
        if log.exists():
            detail += log.read_text(errors="replace")[-2000:]
        shutil.rmtree(folder, ignore_errors=True)
        raise PostgresUnavailableError(f"PostgreSQL did not start: {error}\n{detail}") from error
    try:
        yield f"host={folder} user=shopkit dbname=postgres"
    finally:
        subprocess.run(
            _as_server_user(
                [str(programs / "pg_ctl"), "--pgdata", str(data), "--mode", "immediate", "stop"]
            ),
            check=False,
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(folder, ignore_errors=True)


_SHARED: dict[str, object] = {}


def shared_postgres() -> str:
    """The connection string of one server per process, started on first use.

    It is stopped when the process that started it exits (a forked child leaves it running).

    Raises:
        PostgresUnavailableError: as :func:`temporary_postgres`.
    """
    url = _SHARED.get("url")
    if isinstance(url, str):
        return url
    manager = temporary_postgres()
    url = manager.__enter__()
    owner = os.getpid()

    def stop() -> None:
        if os.getpid() == owner:
            manager.__exit__(None, None, None)

    import atexit

    atexit.register(stop)
    _SHARED["url"] = url
    return url
