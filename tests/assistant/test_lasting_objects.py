"""Opening the engine pauses the cyclic garbage collector and then leaves the engine's objects out of its passes
(`service._lasting_objects`): the collector must be running again afterwards, even when opening fails, and a
dropped engine must still be freed, by reference counting alone, since frozen objects are never collected."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest

from assistant.service import build_engine
from assistant.settings import Settings
from retrieval.errors import ReleaseError


def _settings(release: Path, taxonomy: Path, home: Path) -> Settings:
    return Settings(home=home, onet_dir=release, taxonomy_dir=taxonomy)


def test_an_opened_engine_codes_with_the_collector_running_and_is_freed_when_dropped(
        fixture_release: Path, fixture_taxonomy: Path, tmp_path: Path) -> None:
    frozen_before = gc.get_freeze_count()
    engine = build_engine(_settings(fixture_release, fixture_taxonomy, tmp_path), progress=False)
    assert gc.isenabled()
    assert gc.get_freeze_count() > frozen_before  # the engine's objects are out of the collector's passes
    assert engine.code(title="Registered Nurse", k=1).candidates[0].code == "29-1141.00"

    alive = weakref.ref(engine)
    state = weakref.ref(engine._state)
    del engine
    assert alive() is None and state() is None  # freed without a collection: no cycle holds them


def test_a_release_that_cannot_be_read_leaves_the_collector_running(fixture_taxonomy: Path,
                                                                    tmp_path: Path) -> None:
    with pytest.raises(ReleaseError):
        build_engine(_settings(tmp_path / "no-release", fixture_taxonomy, tmp_path / "home"), progress=False)
    assert gc.isenabled()
