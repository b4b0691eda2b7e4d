"""Peak memory of the running process, for the evaluation report and the benchmarks (imports nothing heavy,
so reading it does not move it)."""

from __future__ import annotations

import sys


def peak_memory_mb() -> float | None:
    """Peak resident set size of this process so far, in MB; None where the platform cannot say.

    On Linux it is `VmHWM` from /proc/self/status: `ru_maxrss` survives `exec`, so a process started by a
    large parent (a benchmark that has just built the index) would report at least the parent's size."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError):
        pass
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)
