"""The PostgreSQL fixtures fail, never skip, when PostgreSQL is nowhere to be found."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures import postgres


def test_without_postgresql_the_tests_fail_and_say_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(postgres, "_find_pg_ctl", lambda: None)

    with pytest.raises(pytest.fail.Exception, match=r"apt-get install postgresql"):
        postgres._start_throwaway(tmp_path)
