"""The browser test skips with its reason on a machine without Chromium, except where CI requires it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import devserver as ds


def test_missing_chromium_skips_with_the_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ds, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv(ds.REQUIRE_BROWSER_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"Chromium not found at .*apt-get install -y chromium"):
        ds.require_chromium()


def test_missing_chromium_fails_where_ci_requires_the_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ds, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv(ds.REQUIRE_BROWSER_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="DUALWORKER_REQUIRE_BROWSER=1 requires"):
        ds.require_chromium()


def test_present_chromium_neither_skips_nor_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    browser = tmp_path / "chromium"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    monkeypatch.setattr(ds, "CHROMIUM", browser)
    monkeypatch.setenv(ds.REQUIRE_BROWSER_ENV, "1")
    ds.require_chromium()
