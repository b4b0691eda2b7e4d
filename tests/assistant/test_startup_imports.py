"""`oca` starts without scikit-learn: only the chat's profile index needs it, built on first use (importing
it took about a second of every command's start)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = r"""
import json, sys
import assistant.cli, assistant.conversation, assistant.partb, assistant.review
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & {"sklearn", "assistant"})))
"""


def test_the_command_line_and_the_chat_modules_load_without_scikit_learn() -> None:
    done = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == ["assistant"]
