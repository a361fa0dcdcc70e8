"""Benchmark: render seed 001's report with reportlab, and the same report through Chromium.

Run: ``.venv/bin/python bench/pdf.py [-n 7]``. Prints the median time and page count of
``workflow_app.reports.render_report`` over N renders (after one warm-up that loads the
fonts), the median of N headless-Chromium print-to-PDF runs of the equivalent HTML page
(``bench/pdf_html.py``; a fresh profile each run, as a server would), and their ratio.
Targets: at most 150 ms per report and at least 10× faster than Chromium, measured in one
run. ``--scaling`` also renders the same report with 33, 100 and 300 indicators and prints the
time per added indicator between the sizes (linear when the increments agree).
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pdf_html import render_html  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from workflow_app.reports.render import render_report  # noqa: E402

SEED = ROOT / "workflow_app" / "evaluations" / "seed_examples" / "seed001.json"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "chromium",
                       "google-chrome")
TARGET_MS = 150
TARGET_RATIO = 10
SIZES = (33, 100, 300)


def load_doc() -> tuple[dict, str]:
    """Seed 001 as the app ships it, or the test fixture when the app's copy is absent."""
    if SEED.is_file():
        return json.loads(SEED.read_text(encoding="utf-8")), str(SEED.relative_to(ROOT))
    from tests.reports.fixtures import seed001_doc

    return seed001_doc(), "tests/reports/fixtures.py"


def make_record(doc: dict) -> dict:
    """A realistic record: three signatures (one on behalf), a verification code."""
    team = doc.get("team") or []
    digest = "9f2c4e1ab07d55c3e8a1f0b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6"
    signatures = [
        {"username": m.get("username"), "name": m.get("name"), "role": m.get("role"),
         "signed_at": f"2022-05-19T{9 + i:02d}:30:00+08:00", "content_hash": digest,
         "on_behalf_of_name": None, "comment": "同意" if i else ""}
        for i, m in enumerate(team[:3])
    ]
    return {"revision": 1, "content_hash": digest, "draft": False, "state_label": "已公开",
            "signatures": signatures, "total_score": "96.5", "computed_total_score": "95.8",
            "grade": "优秀", "generated_at": "2022-05-20T08:00:00+08:00",
            "verification": {"code": "ABCD-1234",
                             "url": "http://localhost/public/verify/ABCD-1234"}}


def bench_reportlab(doc: dict, record: dict, runs: int) -> tuple[float, int, bytes]:
    """Median milliseconds of ``render_report`` over ``runs`` renders, pages, last PDF."""
    pdf = render_report(doc, record=record)  # warm-up: font registration, imports
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        pdf = render_report(doc, record=record)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), len(PdfReader(io.BytesIO(pdf)).pages), pdf


def with_indicators(doc: dict, count: int) -> dict:
    """``doc`` with its leaves repeated (renamed) until the tree has ``count`` leaves."""
    doc = copy.deepcopy(doc)
    groups = [l2 for l1 in doc["indicators"] for l2 in l1.get("children") or []
              if l2.get("children")]
    leaves = [leaf for g in groups for leaf in g["children"]]
    for g in groups:
        g["children"] = []
    for n in range(count):
        leaf = copy.deepcopy(leaves[n % len(leaves)])
        leaf["code"] = f"{leaf.get('code', 'x')}-{n}"
        if n >= len(leaves):
            leaf["name"] = f"{leaf['name']}（{n // len(leaves) + 1}）"
        groups[n % len(groups)]["children"].append(leaf)
    return doc


def bench_scaling(doc: dict, record: dict, runs: int) -> list[tuple[int, float, int]]:
    """(indicators, median ms, pages) for each of SIZES."""
    out = []
    for size in SIZES:
        ms, pages, _ = bench_reportlab(with_indicators(doc, size), record, runs)
        out.append((size, ms, pages))
    return out


def find_chromium() -> str | None:
    """The first Chromium binary found, or ``None``."""
    for candidate in CHROMIUM_CANDIDATES:
        path = shutil.which(candidate)
        if path:
            return path
    return None


def bench_chromium(chromium: str, html: str, runs: int) -> tuple[float, int]:
    """Median milliseconds of a headless Chromium print-to-PDF of ``html``, and pages."""
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        out = Path(tmp) / "report.pdf"
        times = []
        for i in range(runs + 1):  # the first run warms the disk cache; not counted
            profile = Path(tmp) / f"profile-{i}"
            command = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
                       "--disable-background-networking", "--disable-component-update",
                       "--disable-sync", "--no-first-run", "--no-pdf-header-footer",
                       f"--user-data-dir={profile}", f"--print-to-pdf={out}",
                       page.as_uri()]
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, timeout=120)
            elapsed = (time.perf_counter() - start) * 1000
            if i:
                times.append(elapsed)
        return statistics.median(times), len(PdfReader(str(out)).pages)


def main(argv: list[str] | None = None) -> int:
    """Run both benchmarks and print the figures and a summary line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=7, help="timed runs (default 7)")
    parser.add_argument("--no-chromium", action="store_true", help="skip the Chromium run")
    parser.add_argument("--out", help="also write the reportlab PDF here")
    parser.add_argument("--scaling", action="store_true",
                        help="also render with 33, 100 and 300 indicators")
    args = parser.parse_args(argv)

    doc, source = load_doc()
    record = make_record(doc)
    ms, pages, pdf = bench_reportlab(doc, record, args.runs)
    if args.out:
        Path(args.out).write_bytes(pdf)
    print(f"document: {source}")
    print(f"reportlab render_report: median {ms:.1f} ms over {args.runs} runs, {pages} pages, "
          f"{len(pdf) // 1024} KiB")

    if args.scaling:
        sizes = bench_scaling(doc, record, args.runs)
        for size, s_ms, s_pages in sizes:
            print(f"scaling: {size} indicators: median {s_ms:.1f} ms, {s_pages} pages")
        steps = [(b_ms - a_ms) / (b - a) for (a, a_ms, _), (b, b_ms, _) in pairwise(sizes)]
        print("scaling: ms per added indicator " + ", ".join(f"{x:.2f}" for x in steps)
              + " (equal when linear)")

    chromium = None if args.no_chromium else find_chromium()
    ok = ms < TARGET_MS
    if chromium is None:
        print("chromium: skipped" + ("" if args.no_chromium else " (not installed)"))
        print(f"SUMMARY pdf: reportlab {ms:.0f} ms/report, {pages} pages; "
              f"target <{TARGET_MS} ms {'met' if ok else 'MISSED'}; chromium not measured")
        return 0 if ok else 1

    c_ms, c_pages = bench_chromium(chromium, render_html(doc, record), args.runs)
    ratio = c_ms / ms
    ok = ok and ratio >= TARGET_RATIO
    print(f"chromium print-to-pdf: median {c_ms:.1f} ms over {args.runs} runs, {c_pages} pages")
    print(f"ratio: reportlab is {ratio:.1f}x faster than chromium")
    print(f"SUMMARY pdf: reportlab {ms:.0f} ms/report ({pages} pages) vs chromium {c_ms:.0f} ms "
          f"({c_pages} pages) = {ratio:.1f}x; targets <{TARGET_MS} ms and >={TARGET_RATIO}x "
          f"{'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
