"""Runs every benchmark in this folder (`make bench`) and prints their reports in one run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    """Run each bench/*.py except this one, helpers (names starting with '_' or 'pdf_') and
    the province's (``make bench-load``)."""
    status = 0
    for script in sorted(HERE.glob("*.py")):
        # generate/load/profile_pages need the province (make bench-load builds and runs it).
        if script.name in {"run_all.py", "generate.py", "load.py", "profile_pages.py"} \
                or script.name.startswith(("_", "pdf_")):
            continue
        print(f"=== {script.name} ===", flush=True)
        status |= subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
