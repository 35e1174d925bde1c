from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--require-services",
        action="store_true",
        default=False,
        help="Fail, instead of skipping, when Redis, PostgreSQL or Chromium cannot be started.",
    )
