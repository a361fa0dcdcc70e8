"""Runs every benchmark in this folder (`make bench`) and prints their reports in one run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    """Run each bench/*.py except this one and helpers (names starting with '_' or 'pdf_')."""
    status = 0
    for script in sorted(HERE.glob("*.py")):
        if script.name in {"run_all.py"} or script.name.startswith(("_", "pdf_")):
            continue
        print(f"=== {script.name} ===", flush=True)
        status |= subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
