"""The app fixtures of tests/ui for the reliability tests that drive pages through AppTest."""

from tests.ui.conftest import app, fake_engine, shared_eval_dir  # noqa: F401 - fixtures
