"""Browser tests: a package, so its conftest is browser.conftest, not a second top-level ``conftest``."""
