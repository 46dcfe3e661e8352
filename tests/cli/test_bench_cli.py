"""``eagerkit bench``: hands its arguments to scripts/benchmarks/run.py, or says it needs a checkout."""

from eagerkit._src.cli import main as cli_main


def test_bench_is_listed_in_help(capsys):
    try:
        cli_main.main(["--help"])
    except SystemExit:
        pass
    assert "bench" in capsys.readouterr().out


def test_bench_finds_the_runner_in_this_checkout():
    script = cli_main._bench_script()
    assert script is not None and script.endswith("scripts/benchmarks/run.py")


def test_bench_passes_arguments_to_the_runner(capfd):
    assert cli_main.main(["bench", "--help"]) == 0
    out = capfd.readouterr().out
    assert "--quick" in out and "--no-anchors" in out and "--json" in out


def test_bench_without_a_checkout_says_so(monkeypatch, capsys):
    monkeypatch.setattr(cli_main, "_bench_script", lambda: None)
    assert cli_main.main(["bench", "--quick"]) == 2
    err = capsys.readouterr().err
    assert "scripts/benchmarks/run.py" in err and "source repository" in err
