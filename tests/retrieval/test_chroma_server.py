"""The engine against a real Chroma server (`chroma run` on loopback), as a deployment would use it."""

from __future__ import annotations

from retrieval.engine import Engine


def test_the_engine_builds_and_answers_through_a_chroma_server(chroma_url, fixture_release, fixture_taxonomy,
                                                               tmp_path, monkeypatch):
    engine = Engine.open(fixture_release, fixture_taxonomy, tmp_path, chroma_url=chroma_url, progress=False)
    assert engine.code(title="Staff Nurse").candidates[0].code == "29-1141.00"
    assert not (tmp_path / "index" / "chroma").exists(), "vectors went to disk instead of the server"

    # A second process-like open finds the server's index current and does not build again.
    def fail(*args, **kwargs):
        raise AssertionError("rebuilt although the server holds a current index")

    monkeypatch.setattr(Engine, "_build", staticmethod(fail))
    again = Engine.open(fixture_release, fixture_taxonomy, tmp_path, chroma_url=chroma_url, progress=False)
    assert again.code(title="LPN").candidates[0].code == "29-2061.00"
