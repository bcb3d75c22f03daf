"""In-process tests of the web platform (archive/web); a package, so its conftest is webapp.conftest and not a second
top-level ``conftest`` beside tests/conftest.py (mypy checks the tests as one program)."""
