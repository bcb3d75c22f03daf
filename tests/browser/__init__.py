"""Browser tests: a package, so its conftest does not shadow tests/web/conftest.py (imported as ``conftest``)."""
