"""Mail over SMTP: with smtp_host set, the verification mail goes to an SMTP server (a local
one here, Python's smtpd) through libcurl, which the server loads at first use, and the
outbox row is marked sent."""
import asyncore
import smtpd
import threading
import time
import warnings

import pytest

from ghtest import API, free_port, register, unique_email

warnings.filterwarnings("ignore", category=DeprecationWarning)


class SmtpSink(smtpd.SMTPServer):
    def __init__(self, port):
        super().__init__(("127.0.0.1", port), None, decode_data=True)
        self.messages = []

    def process_message(self, peer, mailfrom, rcpttos, data, **kw):
        self.messages.append({"from": mailfrom, "to": rcpttos, "data": data})


@pytest.fixture(scope="module")
def sink():
    port = free_port()
    s = SmtpSink(port)
    s.port = port
    t = threading.Thread(target=asyncore.loop, kwargs={"timeout": 0.05}, daemon=True)
    t.start()
    yield s
    s.close()


@pytest.fixture(scope="module")
def srv(module_server_factory, sink):
    return module_server_factory(env={
        "GATEHOUSE_SMTP_HOST": "127.0.0.1",
        "GATEHOUSE_SMTP_PORT": str(sink.port),
        "GATEHOUSE_SMTP_TLS": "none",
        "GATEHOUSE_MAIL_FROM": "Gatehouse <noreply@example.com>",
    })


def wait_for(pred, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = pred()
        if got:
            return got
        time.sleep(0.05)
    return None


def test_verification_mail_is_delivered_over_smtp(srv, sink):
    email = unique_email("smtp")
    register(srv, email=email)
    msg = wait_for(lambda: next((m for m in sink.messages if email in m["to"]), None))
    assert msg, srv.log_tail()
    assert msg["from"] == "noreply@example.com"
    assert "Subject:" in msg["data"] and "/verify" in msg["data"]
    rows = wait_for(lambda: srv.db_rows("SELECT sent_at FROM mail_outbox WHERE recipient = ?", (email,)))
    assert rows and rows[0][0] is not None
    assert not (srv.data_dir / "mail").exists() or not any((srv.data_dir / "mail").iterdir())


def test_unreachable_smtp_server_keeps_the_mail_for_retry(module_server_factory):
    dead = free_port()  # nothing listens here
    s = module_server_factory(env={"GATEHOUSE_SMTP_HOST": "127.0.0.1", "GATEHOUSE_SMTP_PORT": str(dead),
                                   "GATEHOUSE_SMTP_TLS": "none"})
    email = unique_email("smtp-dead")
    register(s, email=email)
    assert wait_for(lambda: "mail delivery failed" in s.log_tail(200))
    rows = s.db_rows("SELECT sent_at FROM mail_outbox WHERE recipient = ?", (email,))
    assert rows and rows[0][0] is None
    assert s.get(f"{API}/auth/me").status_code == 401  # still serving
