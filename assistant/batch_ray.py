"""Batch coding on Ray: the same chunks, coded by actors that each hold an engine.

Each actor opens the engine from the settings it is handed (paths made absolute, so a worker's own working
directory does not matter). With `OCA_CHROMA_URL` set every actor searches the one Chroma server instead of
a copy of the vector index; the title and keyword indexes are read from `OCA_HOME/index` on the actor's node.
Chunks go out in order and come back in order, at most two per actor in flight, so the driver's memory stays
flat however long the file is; an actor codes a chunk exactly as `LocalRunner` would, so the output is the same.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from assistant.batch import BatchError, Job, code_jobs
from assistant.settings import Settings

MAX_ACTORS = 32
IN_FLIGHT_PER_ACTOR = 2


def _portable(settings: Settings) -> dict[str, Any]:
    """Settings as plain data for another process: absolute paths, secrets as plain strings."""
    data = settings.model_dump()
    for name in ("home", "onet_dir", "taxonomy_dir"):
        data[name] = str(getattr(settings, name).resolve())
    if settings.llm_api_key is not None:
        data["llm_api_key"] = settings.llm_api_key.get_secret_value()
    return data


class _Coder:
    """A Ray actor's state: one engine, opened once."""

    def __init__(self, settings: dict[str, Any], k: int) -> None:
        from assistant.service import build_engine

        self.engine = build_engine(Settings(**settings), progress=False)
        self.k = k

    def code(self, jobs: list[Job]) -> list[dict[str, Any]]:
        return code_jobs(self.engine, jobs, self.k)

    def versions(self) -> tuple[str, str]:
        return self.engine.release, self.engine.engine_version


class RayRunner:
    """Chunks coded by Ray actors; `address` None starts (or joins) a Ray instance on this machine."""

    def __init__(self, settings: Settings, k: int, *, address: str | None = None,
                 actors: int | None = None) -> None:
        try:
            import ray
        except ImportError as exc:
            raise BatchError("--engine ray needs Ray: pip install 'ray[default]'.") from exc
        self._ray = ray
        if not ray.is_initialized():
            try:
                ray.init(address=address, include_dashboard=False, log_to_driver=False,
                         configure_logging=False)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise BatchError(f"cannot join the Ray cluster at {address or 'this machine'}: {exc}") from exc
        if actors is None:
            actors = max(1, min(MAX_ACTORS, int(ray.cluster_resources().get("CPU", 1))))
        remote = ray.remote(num_cpus=1)(_Coder)
        self._actors = [remote.remote(_portable(settings), k) for _ in range(actors)]
        try:
            ray.get([a.versions.remote() for a in self._actors])  # fail here, not mid-file, if engines cannot open
        except ray.exceptions.RayActorError as exc:
            raise BatchError(f"the Ray actors could not open the engine: {exc}") from exc

    def map(self, chunks: Iterable[tuple[Any, list[Job]]]) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
        pending: deque[tuple[Any, Any]] = deque()
        limit = len(self._actors) * IN_FLIGHT_PER_ACTOR
        for n, (tag, jobs) in enumerate(chunks):
            actor = self._actors[n % len(self._actors)]
            pending.append((tag, actor.code.remote(jobs)))
            if len(pending) >= limit:
                tag_done, ref = pending.popleft()
                yield tag_done, self._ray.get(ref)
        while pending:
            tag_done, ref = pending.popleft()
            yield tag_done, self._ray.get(ref)

    def shutdown(self) -> None:
        for actor in self._actors:
            self._ray.kill(actor)
        self._actors = []
