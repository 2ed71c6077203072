"""Benchmark ecoplan against a plain regex scan, and measure start-up, memory and scaling.

    .venv/bin/python bench/bench.py              # full run, a few minutes
    .venv/bin/python bench/bench.py --quick      # tiny corpus, seconds (used by the tests)
    .venv/bin/python bench/bench.py --markdown --out results.json

Every figure comes from one run on one machine, so the ratios are meaningful
even when the absolute numbers are not. See bench/README.md for what each
figure means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
MB = 1_000_000

# The floor: what a handful of compiled regular expressions cost over the same
# text. A rule-based parser does several such passes plus bookkeeping.
BASELINE_PATTERNS = [
    r"\d+(?:\.\d+)?\s*(?:%|％|万吨|吨|千瓦|万千瓦|公里|平方公里|立方米|微克/立方米|个|项|家|座|辆)",
    r"(?:19|20)\d{2}\s*年",
    r"^\s*(?:第[一二三四五六七八九十]+[章节条]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、])",
    r"[\u4e00-\u9fff]{2,12}?(?:局|委|办|厅|中心|政府|管委会|委员会)",
    r"(?:到|至|截至)?\s*(?:\d{4}年)?\d{1,2}月(?:底|末)?前?",
]


# --- corpus --------------------------------------------------------------------------------------


def load_plans() -> list[tuple[str, bytes]]:
    plans = [(p.name, p.read_bytes()) for p in sorted(RAW.glob("*.txt"))]
    if not plans:
        sys.exit(f"bench: no plans in {RAW}")
    return plans


def repeat_to(data: bytes, size: int) -> bytes:
    """`data` repeated (whole copies, newline-separated) to at least `size` bytes."""
    unit = data.rstrip(b"\n") + b"\n\n"
    return unit * max(1, -(-size // len(unit)))


def corpus_docs(plans: list[tuple[str, bytes]], size: int) -> list[tuple[str, bytes]]:
    """Separate documents: every plan, the set cycled until it totals `size` bytes."""
    docs: list[tuple[str, bytes]] = []
    total = 0
    while total < size:
        for name, data in plans:
            docs.append((f"{len(docs):05d}-{name}", data))
            total += len(data)
    return docs


def plan_files(plans: list[tuple[str, bytes]], count: int) -> list[tuple[str, bytes]]:
    """`count` separate plan files: the plans cycled, each copy under a name of its own."""
    return [(f"{k:05d}-{plans[k % len(plans)][0]}", plans[k % len(plans)][1]) for k in range(count)]


def long_doc(plans: list[tuple[str, bytes]], size: int) -> bytes:
    """One document: the whole set concatenated and repeated to at least `size` bytes."""
    return repeat_to(b"\n\n".join(data.rstrip(b"\n") for _, data in plans), size)


# --- timing helpers ------------------------------------------------------------------------------


@dataclass
class StageTimer:
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, dt: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + dt

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        t0 = clock()
        try:
            yield
        finally:
            self.add(name, clock() - t0)


# In-process figures are CPU seconds of this (single-threaded) process: on a
# shared machine they move far less than wall time, and the regex baseline is
# measured the same way, so the ratios hold.
clock = time.process_time


def best_of(n: int, fn: Callable[[], Any]) -> float:
    """Fastest of `n` runs: the least disturbed by the rest of the machine."""
    times = []
    for _ in range(n):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return min(times)


# --- in-process measurements ---------------------------------------------------------------------


def convert(data: bytes, path: str, fmt: str | None) -> str | Any:
    """What `ecoplan parse` does per file, minus the file I/O: decode, parse, serialise."""
    from ecoplan.pipeline import parse_source
    from ecoplan.reading import source_from_bytes
    from ecoplan.writing import dumps

    plan = parse_source(source_from_bytes(data, path))
    return plan if fmt is None else dumps(plan, fmt)


def staged_parse(timer: StageTimer, data: bytes, name: str) -> Any:
    """What `convert` does, each stage of `ecoplan.pipeline.STAGES` timed on its own."""
    from ecoplan.pipeline import STAGES, build_plan, initial_state
    from ecoplan.reading import source_from_bytes
    from ecoplan.schema import Source
    from ecoplan.text.normalise import normalise

    with timer.stage("decode"):
        source = source_from_bytes(data, name)
    with timer.stage("normalise"):
        state = initial_state(normalise(source.text))
    for stage in STAGES:
        with timer.stage(stage.name):
            stage.apply(state)
    with timer.stage("validation"):
        return build_plan(state, Source(path=source.path, sha256=source.sha256, encoding=source.encoding))


def measure_stages(docs: list[tuple[str, bytes]], repeats: int) -> dict[str, Any]:
    """Per-stage and end-to-end times over the separate-documents corpus."""
    from ecoplan.reading import decode
    from ecoplan.writing import dumps

    chars = sum(len(decode(data)[0]) for _, data in docs)
    # Warm-up: vocabularies and lazily compiled patterns are a start-up cost,
    # measured by the cold-start figure, not a per-character one.
    convert(docs[0][1], docs[0][0], "yaml")

    best: dict[str, float] = {}
    for _ in range(repeats):
        timer = StageTimer()
        for name, data in docs:
            plan = staged_parse(timer, data, name)
            with timer.stage("serialise yaml"):
                dumps(plan, "yaml")
            with timer.stage("serialise json"):
                dumps(plan, "json")
        for k, v in timer.seconds.items():
            best[k] = min(best.get(k, float("inf")), v)

    # End to end without instrumentation overhead: bytes in, text out.
    e2e = {
        fmt: best_of(repeats, lambda fmt=fmt: [convert(data, name, fmt) for name, data in docs])
        for fmt in ("json", "yaml")
    }
    e2e["parse only"] = best_of(repeats, lambda: [convert(data, name, None) for name, data in docs])
    return {"chars": chars, "bytes": sum(len(d) for _, d in docs), "docs": len(docs), "stages": best, "e2e": e2e}


def measure_baseline(docs: list[tuple[str, bytes]], repeats: int) -> dict[str, Any]:
    """The regex floor: decode, then scan with each pattern, over the same corpus."""
    patterns = [re.compile(p, re.M) for p in BASELINE_PATTERNS]

    def scan() -> int:
        hits = 0
        for _, data in docs:
            text = data.decode("utf-8")
            for pattern in patterns:
                for _m in pattern.finditer(text):
                    hits += 1
        return hits

    hits = scan()
    return {"seconds": best_of(repeats, scan), "patterns": len(patterns), "hits": hits}


def measure_scaling(plans: list[tuple[str, bytes]], sizes_mb: list[float]) -> list[dict[str, Any]]:
    """One long document of each size, end to end (JSON), time per MB."""
    rows = []
    for size in sizes_mb:
        data = long_doc(plans, int(size * MB))
        t0 = clock()
        out = convert(data, "long.txt", "json")
        seconds = clock() - t0
        rows.append({"mb": size, "bytes": len(data), "seconds": seconds, "s_per_mb": seconds / (len(data) / MB)})
        del out, data
    return rows


# --- subprocess measurements ---------------------------------------------------------------------


def ecoplan_cmd() -> list[str]:
    """The installed console script next to this interpreter, else an equivalent -c."""
    script = Path(sys.executable).parent / "ecoplan"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from ecoplan.commands import main; sys.exit(main())"]


# Runs the CLI in a fresh interpreter and, at exit, writes the process's own
# peak RSS to the file named by $ECOPLAN_BENCH_PEAK. Peak RSS is read from
# /proc (VmHWM) where there is one: on Linux, getrusage and wait4 also count the
# memory of the bench process that forked the child, before its exec.
_PEAK_WRAPPER = """
import atexit, os, resource, sys
def _peak():
    try:
        with open("/proc/self/status") as fh:
            kb = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
        peak = kb * 1024
    except (OSError, StopIteration):
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak = rss if sys.platform == "darwin" else rss * 1024
    with open(os.environ["ECOPLAN_BENCH_PEAK"], "w") as fh:
        fh.write(str(peak))
atexit.register(_peak)
from ecoplan.commands import main
sys.argv[0] = "ecoplan"
main()
"""


def child_env(tmp: Path, bytecode: bool) -> dict[str, str]:
    """Environment for timed children.

    With `bytecode`, compiled modules are cached (as after a normal install) in
    a private prefix under `tmp`, so the working tree gets no __pycache__ and
    PYTHONDONTWRITEBYTECODE in the caller's environment does not turn every
    start into a compile of every module.
    """
    env = dict(os.environ)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    return env


def run_child(
    cmd: list[str], env: dict[str, str] | None = None, peak_file: Path | None = None
) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak RSS in bytes or 0) of one child process that must succeed."""
    env = dict(env if env is not None else os.environ)
    if peak_file is not None:
        env["ECOPLAN_BENCH_PEAK"] = str(peak_file)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    err = proc.stderr.read() if proc.stderr else b""
    # wait4 gives this child's own CPU time, whatever else this bench has run.
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode != 0:
        text = err.decode("utf-8", "replace").strip()[-500:]
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {text}")
    peak = int(peak_file.read_text()) if peak_file is not None else 0
    return seconds, usage.ru_utime + usage.ru_stime, peak


def measure_cold_start(plan: Path, repeats: int, tmp: Path) -> dict[str, Any]:
    """A whole `ecoplan parse` process on one plan, against `python -c pass`."""
    out: dict[str, Any] = {"plan": plan.name, "repeats": repeats}
    for label, bytecode in (("", True), ("no_pyc_", False)):
        env = child_env(tmp, bytecode)
        cmds = {"parse": [*ecoplan_cmd(), "parse", str(plan), "--format", "json"],
                "parse_yaml": [*ecoplan_cmd(), "parse", str(plan)],
                "python": [sys.executable, "-c", "pass"]}
        if not bytecode:
            del cmds["parse_yaml"]
        for cmd in cmds.values():
            run_child(cmd, env)  # warms the OS page cache and writes the bytecode cache
        runs: dict[str, list[tuple[float, float, int]]] = {k: [] for k in cmds}
        for _ in range(repeats):
            for key, cmd in cmds.items():  # interleaved, so a busy spell hits all alike
                runs[key].append(run_child(cmd, env))
        for key, values in runs.items():
            out[f"{label}{key}_s"] = statistics.median(v[0] for v in values)
            out[f"{label}{key}_cpu_s"] = statistics.median(v[1] for v in values)
        out[f"{label}extra_s"] = out[f"{label}parse_s"] - out[f"{label}python_s"]
    out["ratio"] = out["parse_s"] / out["python_s"]
    return out


def measure_memory(plans: list[tuple[str, bytes]], size_mb: float, tmp: Path) -> dict[str, Any]:
    """Peak RSS of `ecoplan parse` on one long input, against the same on a small plan."""
    big = tmp / "memory-input.txt"
    big.write_bytes(long_doc(plans, int(size_mb * MB)))
    small = tmp / "memory-small.txt"
    small.write_bytes(plans[0][1])
    input_bytes = big.stat().st_size
    wrapper = [sys.executable, "-c", _PEAK_WRAPPER, "parse", "--format", "json"]
    env = child_env(tmp, bytecode=True)
    _, _, idle_rss = run_child([*wrapper, str(small), "-o", str(tmp / "small.json")], env, tmp / "peak")
    seconds, _, peak = run_child([*wrapper, str(big), "-o", str(tmp / "memory.json")], env, tmp / "peak")
    big.unlink()
    return {"input_bytes": input_bytes, "peak_rss": peak, "small_rss": idle_rss, "seconds": seconds,
            "ratio": peak / input_bytes, "net_ratio": (peak - idle_rss) / input_bytes}


def measure_jobs(docs: list[tuple[str, bytes]], tmp: Path, workers: list[int]) -> dict[str, Any]:
    """`ecoplan parse DIR -o OUT --jobs N` over the corpus as separate files."""
    help_text = subprocess.run([*ecoplan_cmd(), "parse", "--help"], capture_output=True, text=True).stdout
    if "--jobs" not in help_text:
        return {"skipped": "ecoplan parse has no --jobs option yet"}
    src = tmp / "jobs-in"
    src.mkdir()
    for name, data in docs:
        (src / name).write_bytes(data)
    times = {}
    for n in workers:
        out = tmp / f"jobs-out-{n}"
        cmd = [*ecoplan_cmd(), "parse", str(src), "-o", str(out), "--format", "json", "--jobs", str(n)]
        times[n] = min(run_child(cmd, child_env(tmp, bytecode=True))[0] for _ in range(2))
    first = times[workers[0]]
    return {"files": len(docs), "bytes": sum(len(d) for _, d in docs), "loadavg": os.getloadavg()[0],
            "seconds": {str(n): s for n, s in times.items()},
            "speedup": {str(n): first / s for n, s in times.items()}}


# One-line plans for the per-file overhead: a heading, a target, a deadline, a task.
TINY_LINES = [
    "一、加强污染防治，到2025年细颗粒物浓度下降5%。",
    "（一）区环保部门负责推进重点工作。",
    "2024年6月底前完成整治。",
    "持续推进河湖治理。",
]


def measure_tiny_files(tmp: Path, count: int, repeats: int) -> dict[str, Any]:
    """What a batch costs per file beyond the parse: `ecoplan parse DIR -o OUT --jobs 1` over one-line plans.

    CPU seconds of the whole run, minus the same command on one of the files
    (start-up), minus the in-process parse and serialisation of every file
    (`convert`), over the number of files: reading, expanding the folder,
    writing each output atomically, the report line. Best of `repeats`.
    """
    src = tmp / "tiny-in"
    src.mkdir()
    files = []
    for n in range(count):
        path = src / f"{n:05d}.txt"
        path.write_text(TINY_LINES[n % len(TINY_LINES)] + "\n", encoding="utf-8")
        files.append(path)
    env = child_env(tmp, bytecode=True)
    one = [*ecoplan_cmd(), "parse", str(files[0]), "-o", str(tmp / "tiny-one.json"), "--format", "json"]
    run_child(one, env)  # warms the bytecode cache
    start_cpu = min(run_child(one, env)[1] for _ in range(repeats))
    batch_cpu = float("inf")
    for n in range(repeats):
        out = tmp / f"tiny-out-{n}"
        cmd = [*ecoplan_cmd(), "parse", str(src), "-o", str(out), "--format", "json", "--jobs", "1"]
        batch_cpu = min(batch_cpu, run_child(cmd, env)[1])
    inputs = [(str(p), p.read_bytes()) for p in files]
    convert(inputs[0][1], inputs[0][0], "json")
    parse_cpu = best_of(repeats, lambda: [convert(data, name, "json") for name, data in inputs])
    return {"files": count, "start_cpu_s": start_cpu, "batch_cpu_s": batch_cpu, "parse_cpu_s": parse_cpu,
            "overhead_s": (batch_cpu - start_cpu - parse_cpu) / (count - 1)}


# --- report --------------------------------------------------------------------------------------


# --- published formats ---------------------------------------------------------------------------


def measure_published(repeats: int) -> dict[str, Any]:
    """Read + parse throughput of the published formats next to text, on fixtures built from the seeds.

    The PDF is every seed plan typeset one after the other (tests/published.py),
    about 25 pages with a ruled table cut by page ends; the .docx and the web
    page are the Xigang plan with its 措施清单 table. CPU seconds, best of `repeats`.
    """
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        import published
    except ImportError as exc:  # reportlab, python-docx … missing: the extras are not installed
        return {"skipped": f"fixtures need ecoplan[dev] ({exc})"}
    from ecoplan.reading import source_from_bytes

    texts = [published.plan_text(p.stem) for p in sorted(RAW.glob("*.txt"))]
    stats = published.PdfStats()
    xigang = published.plan_text(published.XIGANG)
    inputs = {
        "text": ("plan.txt", "".join(texts).encode("utf-8")),
        "pdf": ("plan.pdf", published.pdf_bytes(texts, stats=stats)),
        "docx": ("plan.docx", published.docx_bytes(xigang)),
        "html": ("plan.html", published.html_bytes(xigang)),
    }
    out: dict[str, Any] = {"pdf_pages": stats.pages}
    for fmt, (name, data) in inputs.items():
        read_s = best_of(repeats, lambda d=data, n=name: source_from_bytes(d, n))
        total_s = best_of(repeats, lambda d=data, n=name: convert(d, n, "json"))
        out[fmt] = {"bytes": len(data), "read_s": read_s, "total_s": total_s,
                    "chars": len(source_from_bytes(data, name).text)}
    return out


def rate(chars: int, seconds: float) -> str:
    return "∞" if seconds <= 0 else f"{chars / seconds / 1e6:.2f} M chars/s"


def report_rows(r: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(figure, value, note) rows shared by the plain and Markdown reports."""
    st, base = r["stages"], r["baseline"]
    chars = st["chars"]
    base_rate = chars / base["seconds"]
    rows: list[tuple[str, str, str]] = [
        ("corpus", f"{st['bytes'] / MB:.1f} MB, {chars / 1e6:.2f} M chars", f"{st['docs']} documents"),
        ("regex baseline", rate(chars, base["seconds"]), f"{base['patterns']} compiled patterns, decode + finditer"),
    ]
    for label, key in (("end to end (json)", "json"), ("end to end (yaml)", "yaml"), ("parse only", "parse only")):
        s = st["e2e"][key]
        rows.append((label, rate(chars, s), f"{chars / s / base_rate:.2f} × baseline"))
    total = sum(st["stages"].values())
    for name, s in st["stages"].items():
        rows.append((f"  stage: {name}", rate(chars, s), f"{100 * s / total:.0f}% of staged time"))
    cold = r["cold_start"]

    def ms(key: str) -> str:
        return f"{cold[key] * 1000:.0f} ms"

    rows.append(("cold start: python -c pass", ms("python_s"),
                 f"CPU {ms('python_cpu_s')}; median of {cold['repeats']}"))
    rows.append(("cold start: ecoplan parse (1 plan, json)", ms("parse_s"),
                 f"+{ms('extra_s')} over python, {cold['ratio']:.1f} ×; CPU {ms('parse_cpu_s')}; {cold['plan']}"))
    rows.append(("cold start: ecoplan parse (1 plan, yaml)", ms("parse_yaml_s"),
                 f"+{(cold['parse_yaml_s'] - cold['python_s']) * 1000:.0f} ms over python; "
                 f"CPU {ms('parse_yaml_cpu_s')}"))
    rows.append(("cold start, no .pyc cache (json)", ms("no_pyc_parse_s"),
                 f"+{ms('no_pyc_extra_s')} over python; every module compiled at start"))
    mem = r["memory"]
    rows.append((f"peak memory, {mem['input_bytes'] / MB:.0f} MB input", f"{mem['peak_rss'] / MB:.0f} MB",
                 f"{mem['ratio']:.1f} × input ({mem['net_ratio']:.1f} × above a 1-plan run, "
                 f"{mem['small_rss'] / MB:.0f} MB); {mem['seconds']:.1f} s"))
    scaling = r["scaling"]
    per_mb = [row["s_per_mb"] for row in scaling]
    rows.append(("scaling, s per MB (" + " / ".join(f"{row['mb']:g}" for row in scaling) + " MB)",
                 " / ".join(f"{row['s_per_mb']:.3f}" for row in scaling),
                 f"slowest / fastest {max(per_mb) / min(per_mb):.2f}"))
    pub = r.get("published", {})
    if "skipped" in pub:
        rows.append(("published formats", "skipped", pub["skipped"]))
    for fmt, label in (("text", "text"), ("pdf", f"PDF ({pub.get('pdf_pages', 0)} pages)"), ("docx", ".docx"),
                       ("html", "web page")):
        if fmt not in pub:
            continue
        f = pub[fmt]
        pages = f" = {pub['pdf_pages'] / f['total_s']:.0f} pages/s" if fmt == "pdf" else ""
        rows.append((f"read + parse: {label}", f"{f['bytes'] / 1000 / f['total_s']:.0f} KB/s",
                     f"{f['bytes'] / 1000:.0f} KB in {f['total_s'] * 1000:.0f} ms{pages}; reading alone "
                     f"{f['read_s'] * 1000:.0f} ms; {f['chars'] / f['total_s'] / 1e6:.2f} M chars/s of text"))
    tiny = r["tiny"]
    rows.append((f"per-file overhead, {tiny['files']} one-line plans", f"{tiny['overhead_s'] * 1000:.2f} ms CPU",
                 f"batch {tiny['batch_cpu_s']:.2f} s CPU = start {tiny['start_cpu_s'] * 1000:.0f} ms + parse "
                 f"{tiny['parse_cpu_s'] * 1000:.0f} ms + overhead (--jobs 1, json)"))
    jobs = r["jobs"]
    if "skipped" in jobs:
        rows.append(("--jobs speed-up", "skipped", jobs["skipped"]))
    else:
        rows.append(("--jobs 1 / 2 (" + f"{jobs['files']} files, {jobs['bytes'] / MB:.1f} MB)",
                     " / ".join(f"{s:.2f} s" for s in jobs["seconds"].values()),
                     "speed-up " + " / ".join(f"{x:.2f} ×" for x in jobs["speedup"].values())
                     + f"; load average {jobs['loadavg']:.1f} on {r['env']['nproc']} CPUs"))
    return rows


def goals(r: dict[str, Any]) -> list[tuple[str, bool, str]]:
    """The goals of issue #13, each met or not in this run."""
    st = r["stages"]
    base_rate = st["chars"] / r["baseline"]["seconds"]
    json_ratio, yaml_ratio = ((st["chars"] / st["e2e"][fmt]) / base_rate for fmt in ("json", "yaml"))
    scaling = [row["s_per_mb"] for row in r["scaling"]]
    spread = max(scaling) / min(scaling)
    cold = r["cold_start"]
    rows = [
        ("throughput ≥ 0.5 × regex baseline (end to end, json; 0.35 × at least)", json_ratio >= 0.5,
         f"{json_ratio:.2f} ×"),
        ("throughput ≥ 0.35 × regex baseline (end to end, yaml; 0.25 × at least)", yaml_ratio >= 0.35,
         f"{yaml_ratio:.2f} ×"),
        ("cold start ≤ 0.2 s above python -c pass", cold["extra_s"] <= 0.2,
         f"+{cold['extra_s']:.2f} s (CPU +{cold['parse_cpu_s'] - cold['python_cpu_s']:.2f} s)"),
        ("peak memory ≤ 5 × input size", r["memory"]["ratio"] <= 5, f"{r['memory']['ratio']:.1f} ×"),
        ("time per MB flat 5→40 MB (within 15%)", spread <= 1.15, f"max/min {spread:.2f}"),
    ]
    overhead = r["tiny"]["overhead_s"] * 1000
    rows.append(("per-file overhead for tiny files ≤ 0.5 ms CPU", overhead <= 0.5, f"{overhead:.2f} ms"))
    jobs = r["jobs"]
    if "skipped" not in jobs and "2" in jobs["speedup"]:
        rows.append(("--jobs 2 ≥ 1.7 × --jobs 1", jobs["speedup"]["2"] >= 1.7,
                     f"{jobs['speedup']['2']:.2f} × (load average {jobs['loadavg']:.1f})"))
    return rows


def print_report(r: dict[str, Any], markdown: bool) -> None:
    rows = report_rows(r)
    env = r["env"]
    head = f"ecoplan bench — {env['python']} on {env['machine']}, nproc {env['nproc']}, {env['date']}"
    if markdown:
        print(f"{head}\n")
        print("| figure | value | note |\n|---|---|---|")
        for a, b, c in rows:
            print(f"| {a.strip()} | {b} | {c} |")
        print("\n| goal | met | measured |\n|---|---|---|")
        for g, ok, v in goals(r):
            print(f"| {g} | {'yes' if ok else 'no'} | {v} |")
    else:
        print(head)
        width = max(len(a) for a, _, _ in rows)
        for a, b, c in rows:
            print(f"{a:<{width}}  {b:>24}  {c}")
        print()
        for g, ok, v in goals(r):
            print(f"[{'met' if ok else 'NOT met'}] {g}: {v}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="tiny corpus and sizes: checks the script, not speed")
    ap.add_argument("--markdown", action="store_true", help="print the results as a Markdown table")
    ap.add_argument("--out", metavar="FILE", help="also save the raw results as JSON")
    args = ap.parse_args(argv)

    if args.quick:
        corpus_mb, memory_mb, scaling_mb, repeats, cold_repeats, tiny_files = 0.1, 0.2, [0.05, 0.1], 1, 2, 50
        jobs_files = 20
    else:
        corpus_mb, memory_mb, scaling_mb, repeats, cold_repeats, tiny_files = 5, 50, [5, 10, 20, 40], 3, 7, 2000
        jobs_files = 2000  # issue #13: --jobs 2 over 2,000 plans

    sys.path.insert(0, str(ROOT))  # run from a checkout even without the package installed
    plans = load_plans()
    docs = corpus_docs(plans, int(corpus_mb * MB))
    results: dict[str, Any] = {
        "env": {"python": platform.python_version(), "machine": platform.machine(), "nproc": os.cpu_count(),
                "date": time.strftime("%Y-%m-%d %H:%M"), "quick": args.quick},
    }

    def step(name: str) -> None:
        print(f"bench: {name} ...", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="ecoplan-bench-") as tmp_name:
        tmp = Path(tmp_name)
        step("cold start")  # first, before this process fills the page cache with anything else
        results["cold_start"] = measure_cold_start(RAW / plans[0][0], cold_repeats, tmp)
        step(f"stages over {corpus_mb} MB")
        results["stages"] = measure_stages(docs, repeats)
        step("regex baseline")
        results["baseline"] = measure_baseline(docs, repeats)
        step("scaling " + ", ".join(f"{s:g}" for s in scaling_mb) + " MB")
        results["scaling"] = measure_scaling(plans, scaling_mb)
        step(f"peak memory at {memory_mb} MB")
        results["memory"] = measure_memory(plans, memory_mb, tmp)
        step("published formats: PDF, .docx, web page")
        results["published"] = measure_published(repeats)
        step(f"per-file overhead over {tiny_files} one-line plans")
        results["tiny"] = measure_tiny_files(tmp, tiny_files, repeats)
        step(f"--jobs 1 and 2 over {jobs_files} plans")
        results["jobs"] = measure_jobs(plan_files(plans, jobs_files), tmp, [1, 2])

    print_report(results, args.markdown)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
