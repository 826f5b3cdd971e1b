"""pytest fixtures for the Gatehouse API tests. See ghtest.py for the harness."""
import shutil
import subprocess

import pytest

import ghtest
from ghtest import ENGINE, UNCLEAN_STOPS, Postgres, Server


def pytest_report_header(config):
    return f"gatehouse engine: {ENGINE}"


def pytest_terminal_summary(terminalreporter):
    if UNCLEAN_STOPS:
        terminalreporter.section("gatehouse processes that did not stop cleanly")
        for line in UNCLEAN_STOPS:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session", autouse=True)
def _binary_copy_cleanup():
    yield
    if ghtest._BINARY_COPY is not None:
        shutil.rmtree(ghtest._BINARY_COPY.parent, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres():
    if ENGINE != "postgres":
        yield None
        return
    pg = Postgres()
    try:
        pg.start()
    except subprocess.CalledProcessError as e:
        pg.stop()
        pytest.exit(f"could not start PostgreSQL: {e.stderr}", returncode=3)
    try:
        yield pg
    finally:
        pg.stop()


@pytest.fixture
def server_factory(postgres):
    """Starts extra servers for one test: server_factory(env={...}) -> Server."""
    made: list[Server] = []

    def make(env: dict | None = None, **kw) -> Server:
        s = Server(postgres, env=env, **kw)
        made.append(s)
        return s.start()

    yield make
    for s in made:
        s.close()


@pytest.fixture(scope="module")
def module_server_factory(postgres):
    made: list[Server] = []

    def make(env: dict | None = None, **kw) -> Server:
        s = Server(postgres, env=env, **kw)
        made.append(s)
        return s.start()

    yield make
    for s in made:
        s.close()


@pytest.fixture(scope="module")
def srv(module_server_factory) -> Server:
    """The default server shared by the tests of one module."""
    return module_server_factory()


