"""scripts/benchmarks/run.py end to end: a quick run of two cheap areas with the anchors off.

Checks the shape of the report (machine header, rows, raw results), that every measured number
is a positive time, that ratios are eagerkit / anchor, and that anchors which were not run are
reported as skipped with no number. It never asserts speed.
"""

import json
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNNER = os.path.join(REPO, "scripts", "benchmarks", "run.py")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    json_path, md_path = out / "report.json", out / "table.md"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EK_", "EAGERKIT_KERAS", "EAGERKIT_TF"))}
    proc = subprocess.run(
        [sys.executable, RUNNER, "--quick", "--only", "ops,checkpoint", "--no-anchors"]
        + ["--json", str(json_path), "--markdown", str(md_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=out,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(json_path.read_text()), md_path.read_text(), proc.stdout


def test_report_has_machine_settings_and_raw_results(report):
    data, _, _ = report
    machine = data["machine"]
    assert machine["cores"] >= 1 and machine["cpu"] and machine["date"]
    assert len(machine["load_average"]) == 3 and len(data["load_average_end"]) == 3
    assert machine["versions"]["jax"] and machine["versions"]["eagerkit"]
    assert machine["devices"]
    assert data["settings"]["quick"] is True and data["settings"]["areas"] == ["ops", "checkpoint"]
    assert set(data["results"]) == {"ops", "checkpoint"} and data["errors"] == {}
    assert data["results"]["checkpoint"]["params"] == 2_000_000
    assert all(data["durations_s"][a] > 0 for a in ("ops", "checkpoint")) and data["total_s"] > 0


def test_rows_hold_positive_times_and_ratios(report):
    data, _, _ = report
    rows = data["rows"]
    keys = {"area", "case", "unit", "eagerkit", "anchor", "anchor_value", "ratio", "note"}
    assert rows and all(set(r) == keys for r in rows)
    assert {r["area"] for r in rows} == {"ops", "checkpoint"}
    assert all(r["eagerkit"] > 0 for r in rows)
    measured = [r for r in rows if r["anchor"] in ("jax.numpy", "orbax PyTreeCheckpointer")]
    assert len(measured) == 5 + 2  # five ops against jax.numpy; save and restore against orbax
    for r in measured:
        assert r["anchor_value"] > 0
        assert r["ratio"] == pytest.approx(r["eagerkit"] / r["anchor_value"])


def test_anchors_that_did_not_run_are_skipped_not_faked(report):
    data, markdown, stdout = report
    for kind, anchor in data["anchors"].items():
        assert anchor["python"] is None and anchor["version"] is None, kind
        assert anchor["skip"].startswith("skipped:") and "--no-anchors" in anchor["skip"]
    skipped = [r for r in data["rows"] if r["anchor"] in ("TF eager", "PyTorch (1 thread)")]
    assert len(skipped) == 2 * 5
    for r in skipped:
        assert r["anchor_value"] is None and r["ratio"] is None
        assert r["note"].startswith("skipped:")
    assert "skipped" in stdout and "skipped" in markdown


def test_markdown_table_matches_the_rows(report):
    data, markdown, _ = report
    lines = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert lines[0] == "| area | case | eagerkit | anchor | anchor value | ratio |"
    assert len(lines) == 1 + len(data["rows"])
    assert "load average" in markdown and data["machine"]["cpu"] in markdown


def test_unknown_area_is_refused():
    proc = subprocess.run([sys.executable, RUNNER, "--only", "nope"], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "unknown area" in proc.stderr


def test_anchor_discovery(monkeypatch):
    monkeypatch.syspath_prepend(os.path.dirname(RUNNER))
    import bench_env

    for name in ("EK_TF_PYTHON", "EAGERKIT_TF_PYTHON"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(bench_env, "_importable", lambda modules: False)
    missing = bench_env.find_anchor("tf")
    assert missing.python is None
    assert missing.skip == "skipped: TensorFlow not installed (set EK_TF_PYTHON=/path/to/python or pass --tf-python)"
    given = bench_env.find_anchor("tf", explicit=sys.executable)
    assert given.python == sys.executable and given.source == "--tf-python"
    monkeypatch.setenv("EK_TF_PYTHON", "/no/such/python")
    assert "does not exist" in bench_env.find_anchor("tf").skip
    monkeypatch.delenv("EK_TF_PYTHON")
    monkeypatch.setattr(bench_env, "_importable", lambda modules: True)
    assert bench_env.find_anchor("tf").python == sys.executable
    assert bench_env.find_anchor("tf", enabled=False).python is None
