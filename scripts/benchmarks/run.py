"""Every eagerkit benchmark in one go, against its anchors, as one table (text, JSON, Markdown).

Areas (each is a script beside this one that also runs on its own):

  ops         per-call eager overhead of ek ops vs raw jax.numpy, TF eager, PyTorch (bench_ops.py)
  tape        taped step (3 ops + gradient) and the seed's linear regression step vs raw JAX,
              TF eager, PyTorch (bench_tape.py)
  convnet     the seed's MNIST convnet step: eager, ek.function, fit, train_on_batch vs
              jax.jit + optax, TF eager / tf.function, Keras 3 on JAX; first-call trace +
              compile time of ek.function vs tf.function (bench_convnet.py)
  data        ek.data vs tf.data throughput on the same arrays (bench_data.py)
  checkpoint  save/restore of 50M float32 parameters vs orbax used directly (bench_checkpoint.py)
  scaling     MirroredStrategy convnet step on 1, 2 and 4 devices (host CPU devices here) vs a
              hand-written sharded jax.jit step on the same mesh (bench_scaling.py)

Raw JAX, optax and orbax are eagerkit's own dependencies and always run. TensorFlow, PyTorch
and Keras 3 run in their own interpreters, found as bench_env.py describes: ``--tf-python``,
``--torch-python``, ``--keras-python``, or $EK_TF_PYTHON, $EK_TORCH_PYTHON, $EK_KERAS_PYTHON,
or the current interpreter when it can import them. An anchor that is not found is reported
as skipped, with how to turn it on; ``--no-anchors`` skips all three.

Every value in the table is a time (lower is better), and ratio = eagerkit / anchor: below
1.00x eagerkit is faster, above it slower. The header records the machine (CPU, cores, load
average at start and end, devices), the date and the versions of everything measured.

    python scripts/benchmarks/run.py                       # all areas, full step counts
    python scripts/benchmarks/run.py --quick               # smoke run: few steps, 2M-parameter checkpoint
    python scripts/benchmarks/run.py --only ops,tape --json out.json --markdown out.md
    EK_TF_PYTHON=../tfvenv/bin/python python scripts/benchmarks/run.py

The JSON file (default ``benchmarks.json`` in the current directory) holds the same rows plus
the machine, the settings, each area's raw results and how long each area took.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from importlib import import_module

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_env import ANCHORS, add_anchor_arguments, anchor_version, anchors_from_args, machine  # noqa: E402

# area -> (module, full-run arguments, --quick arguments, takes anchors)
AREAS: dict[str, tuple[str, dict, dict, bool]] = {
    "ops": ("bench_ops", {"calls": 2000, "rounds": 7}, {"calls": 200, "rounds": 3}, True),
    "tape": (
        "bench_tape",
        {"cases": ("tape32", "linreg"), "sync_variant": False},
        {"cases": ("tape32", "linreg"), "sync_variant": False, "quick": True},
        True,
    ),
    "convnet": ("bench_convnet", {"steps": 200}, {"steps": 20}, True),
    "data": ("bench_data", {"epochs": 3}, {"epochs": 1, "examples": 10_000}, True),
    "checkpoint": (
        "bench_checkpoint",
        {"params": 50_000_000, "repeats": 5},
        {"params": 2_000_000, "repeats": 2},
        False,
    ),
    "scaling": ("bench_scaling", {"devices": (1, 2, 4), "steps": 30}, {"devices": (1, 2), "steps": 5}, False),
}
COLUMNS = ("area", "case", "eagerkit", "anchor", "anchor value", "ratio")


def _areas(text: str | None) -> list[str]:
    if not text:
        return list(AREAS)
    names = [a.strip() for a in text.split(",") if a.strip()]
    unknown = [a for a in names if a not in AREAS]
    if unknown:
        raise SystemExit(f"run.py: unknown area(s) {', '.join(unknown)}; choose from {', '.join(AREAS)}")
    return names


def format_value(value: float | None, unit: str) -> str:
    """``12.3 us/call``: three significant digits, no exponent."""
    if value is None:
        return "-"
    digits = 0 if value >= 100 else 1 if value >= 10 else 2 if value >= 1 else 3
    if 0 < value < 0.01:
        digits = 4
    return f"{value:,.{digits}f} {unit}"


def table_cells(row: dict) -> list[str]:
    ratio = f"{row['ratio']:.2f}x" if row["ratio"] is not None else "-"
    if row["anchor_value"] is None and row["note"].startswith("skipped"):
        anchor_value = "skipped"
    else:
        anchor_value = format_value(row["anchor_value"], row["unit"])
    return [row["area"], row["case"], format_value(row["eagerkit"], row["unit"]), row["anchor"], anchor_value, ratio]


def header_lines(report: dict) -> list[str]:
    m = report["machine"]
    load_end = report.get("load_average_end")
    load = " ".join(f"{x:.2f}" for x in m["load_average"])
    if load_end:
        load += " at start, " + " ".join(f"{x:.2f}" for x in load_end) + " at end"
    v = m["versions"]
    anchors = []
    for kind, a in report["anchors"].items():
        if a["python"]:
            anchors.append(f"{ANCHORS[kind].label} {a['version'] or '?'} ({a['python']})")
        else:
            anchors.append(f"{ANCHORS[kind].label}: {a['skip']}")
    s = report["settings"]
    g = m["git"]
    source = f"commit {g['commit']}" if g["commit"] else "not a git checkout"
    if g["eagerkit_modified"]:
        source += " with uncommitted changes under eagerkit/"
    return [
        f"date: {m['date']}",
        f"machine: {m['cpu']}, {m['cores']} cores, load average (1/5/15 min) {load}",
        f"devices: {', '.join(m['devices'])} (JAX backend {m['backend']})",
        f"versions: python {m['python']}, eagerkit {v['eagerkit']}, jax {v['jax']}, jaxlib {v['jaxlib']}, "
        f"numpy {v['numpy']}, optax {v['optax']}, orbax-checkpoint {v['orbax-checkpoint']}",
        "anchors: " + "; ".join(anchors),
        f"eagerkit source: {source}",
        f"run: {'--quick' if s['quick'] else 'full'}, areas {','.join(s['areas'])}, "
        f"{report['total_s']:.0f} s in all" + (f"; FAILED: {', '.join(report['errors'])}" if report["errors"] else ""),
        "every value is a time (lower is better); ratio = eagerkit / anchor: below 1.00x eagerkit is faster",
    ]


def _notes(rows: list[dict]) -> list[str]:
    """Each distinct note once, after the anchors it applies to (skipped anchors and why)."""
    anchors: dict[str, list[str]] = {}
    for r in rows:
        if r["note"] and r["anchor"] not in anchors.setdefault(r["note"], []):
            anchors[r["note"]].append(r["anchor"])
    return [f"{', '.join(names)}: {note}" for note, names in anchors.items()]


def format_text(report: dict) -> str:
    rows = [table_cells(r) for r in report["rows"]]
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(COLUMNS)]
    right = {2, 4, 5}

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    out = ["# eagerkit benchmarks", *header_lines(report), "", line(list(COLUMNS)), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    notes = _notes(report["rows"])
    if notes:
        out += ["", "notes:", *(f"  {n}" for n in notes)]
    return "\n".join(out)


def format_markdown(report: dict) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    out = [*(f"- {cell(line)}" for line in header_lines(report)), ""]
    out.append("| " + " | ".join(COLUMNS) + " |")
    out.append("|" + "|".join(["---", "---", "---:", "---", "---:", "---:"]) + "|")
    for r in report["rows"]:
        out.append("| " + " | ".join(cell(c) for c in table_cells(r)) + " |")
    notes = _notes(report["rows"])
    if notes:
        out += ["", "Notes:", "", *(f"- {cell(n)}" for n in notes)]
    return "\n".join(out) + "\n"


def run(areas: list[str], quick: bool, anchors: dict) -> dict:
    """Run ``areas`` in order; returns the report (machine, anchors, rows, raw results, errors)."""
    start = time.perf_counter()
    report: dict = {
        "machine": machine(),
        "anchors": {
            kind: {"python": a.python, "source": a.source, "skip": a.skip, "version": anchor_version(a)}
            for kind, a in anchors.items()
        },
        "settings": {"quick": quick, "areas": areas, "arguments": {}},
        "rows": [],
        "results": {},
        "durations_s": {},
        "errors": {},
    }
    for area in areas:
        module_name, full, quick_args, takes_anchors = AREAS[area]
        kwargs = dict(quick_args if quick else full)
        report["settings"]["arguments"][area] = {k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()}
        if takes_anchors:
            kwargs["anchors"] = anchors
        print(f"[{area}] running {module_name}.measure ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            module = import_module(module_name)
            result = module.measure(**kwargs)
            report["rows"] += module.rows(result)
            report["results"][area] = result
        except Exception as e:  # one broken area must not hide the others' numbers
            traceback.print_exc()
            report["errors"][area] = f"{type(e).__name__}: {e}"
        report["durations_s"][area] = time.perf_counter() - t0
        print(f"[{area}] {report['durations_s'][area]:.1f} s", file=sys.stderr, flush=True)
    report["load_average_end"] = list(os.getloadavg())
    report["total_s"] = time.perf_counter() - start
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="small step counts and a 2M-parameter checkpoint")
    parser.add_argument("--only", default=None, metavar="AREAS", help=f"comma-separated subset of {','.join(AREAS)}")
    parser.add_argument("--json", default="benchmarks.json", metavar="PATH", help="where to write the JSON report")
    parser.add_argument("--markdown", default=None, metavar="PATH", help="also write the table as Markdown")
    add_anchor_arguments(parser)
    args = parser.parse_args(argv)
    areas = _areas(args.only)
    report = run(areas, args.quick, anchors_from_args(args))
    print(format_text(report))
    with open(args.json, "w") as f:
        json.dump(report, f, indent=2)
    print(f"\nJSON report: {os.path.abspath(args.json)}")
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(format_markdown(report))
        print(f"Markdown table: {os.path.abspath(args.markdown)}")
    if report["errors"]:
        for area, error in report["errors"].items():
            print(f"{area} FAILED: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
