"""aspm.errors.internal_error: a bug caught at a boundary is told to the user as an error id, and
the same id is in the log next to the traceback; the exception's text stays in the log."""

import logging
import re

import pytest

from aspm.errors import internal_error

SECRET = "ghp_" + "s" * 36
log = logging.getLogger("tests.internal_error")


def caught(what: str, **words: str) -> str:
    try:
        {"rule": 1}[SECRET]  # a bug whose text quotes a secret
    except KeyError:
        return internal_error(log, what, **words)
    raise AssertionError("unreachable")  # pragma: no cover


def test_the_id_is_in_the_words_and_in_the_log_with_the_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger=log.name):
        words = caught("import of r.json", doing="importing", log_name="server")
    found = re.fullmatch(
        r"internal error while importing \(error id ([0-9a-f]{12}), in the server log\)", words
    )
    assert found is not None, words
    (record,) = caplog.records
    assert record.getMessage() == f"import of r.json failed: internal error {found[1]}"
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert record.exc_info[0] is KeyError
    assert SECRET in caplog.text  # the traceback is logged, for whoever reads the log
    assert SECRET not in words
    assert "KeyError" not in words


def test_each_error_gets_its_own_id() -> None:
    words = [caught("x", doing="evaluating", log_name="worker's") for _ in range(3)]
    ids = {re.findall(r"error id ([0-9a-f]{12}),", w)[0] for w in words}
    assert len(ids) == 3
