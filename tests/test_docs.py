"""The Markdown documentation is true: its Python examples run and its relative links resolve.

For README.md and every docs/*.md:

* every ```` ```python ```` block runs. The blocks of one file run in order in one namespace
  (like a notebook), in a fresh subprocess per file. A block directly preceded by the line
  ``<!-- no-test -->`` is skipped (kept for downloads, long training, several processes).
* a statement ending in a comment ``# -> TEXT`` must print exactly ``TEXT`` (one line);
* a ```` ```text ```` block directly after a Python block is that block's expected output
  (compared line by line, trailing spaces ignored; ``...`` alone on a line matches any lines);
* every relative link ``[text](path)`` / ``[text](path#anchor)`` points to an existing file and,
  for Markdown targets, to a heading with that GitHub anchor.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import linecache
import os
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

_FENCE = re.compile(r"^```(\w*)\s*$")


def code_blocks(path: Path) -> list[dict]:
    """``[{"lang", "line", "code", "skip", "output"}]`` for the fenced blocks of a Markdown file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[dict] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        lang, start = m.group(1), i + 1
        j = start
        while j < len(lines) and lines[j].strip() != "```":
            j += 1
        previous = next((lines[k].strip() for k in range(i - 1, -1, -1) if lines[k].strip()), "")
        blocks.append(
            {
                "lang": lang,
                "line": start + 1,
                "code": "\n".join(lines[start:j]),
                "skip": previous == "<!-- no-test -->",
                "output": None,
                "_open": i,
                "_close": j,
            }
        )
        i = j + 1
    for before, after in zip(blocks, blocks[1:]):
        gap = lines[before["_close"] + 1 : after["_open"]]
        if before["lang"] == "python" and after["lang"] == "text" and not any(s.strip() for s in gap):
            before["output"] = after["code"]
    for block in blocks:
        del block["_open"], block["_close"]
    return blocks


def _expected_comment(line: str) -> str | None:
    """The text after a trailing ``# -> `` comment on ``line``, if any."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line).readline))
    except (tokenize.TokenError, IndentationError):
        return None
    comments = [t.string for t in tokens if t.type == tokenize.COMMENT]
    if comments and comments[-1].startswith("# -> "):
        return comments[-1][len("# -> ") :].strip()
    return None


def _output_matches(expected: str, got: str) -> bool:
    want = [w.rstrip() for w in expected.strip("\n").splitlines()]
    have = [h.rstrip() for h in got.strip("\n").splitlines()]
    pattern = "\n".join(".*?" if w == "..." else re.escape(w) for w in want)
    return re.fullmatch(pattern, "\n".join(have), re.S) is not None


def run_blocks(blocks: list[dict]) -> list[str]:
    """Runs the blocks in order in one namespace; returns the failed output checks.

    Called in a fresh interpreter (see ``test_python_examples_run``). Each block's source is
    registered in ``linecache`` as doctest does, so that ``inspect`` (and AutoGraph) can read it.
    """
    namespace: dict = {"__name__": "__main__"}
    failures = []
    for block in blocks:
        where = f"{block['file']}:{block['line']}"
        source_lines = block["code"].splitlines()
        linecache.cache[where] = (len(block["code"]), None, [line + "\n" for line in source_lines], where)
        block_out = io.StringIO()
        for stmt in ast.parse(block["code"], filename=where).body:
            code = compile(ast.Module(body=[stmt], type_ignores=[]), where, "exec")
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(code, namespace)
            block_out.write(out.getvalue())
            want = _expected_comment(source_lines[stmt.end_lineno - 1])
            if want is not None and out.getvalue().strip() != want:
                line = block["line"] + stmt.end_lineno - 1
                failures.append(
                    f"{block['file']}:{line}: printed {out.getvalue().strip()!r}, the comment says {want!r}"
                )
        if block["output"] is not None and not _output_matches(block["output"], block_out.getvalue()):
            printed = block_out.getvalue()
            failures.append(
                f"{where}: the block printed\n{printed}\nbut the text block after it says\n{block['output']}"
            )
        sys.stdout.write(block_out.getvalue())
    return failures


def _main() -> None:
    failures = run_blocks(json.loads(sys.stdin.read()))
    if failures:
        sys.stderr.write("\n\n".join(failures))
        sys.exit(1)


def _python_blocks(path: Path) -> list[dict]:
    rel = str(path.relative_to(ROOT))
    return [dict(b, file=rel) for b in code_blocks(path) if b["lang"] == "python" and not b["skip"]]


@pytest.mark.parametrize("path", [p for p in DOCS if _python_blocks(p)], ids=lambda p: str(p.relative_to(ROOT)))
def test_python_examples_run(path, tmp_path):
    blocks = _python_blocks(path)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, {str(ROOT / 'tests')!r}); import test_docs; test_docs._main()",
        ],
        input=json.dumps(blocks),
        capture_output=True,
        text=True,
        cwd=tmp_path,  # examples that write files write them here
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, f"examples in {path.name} failed:\n{result.stderr[-6000:]}"


def github_anchor(heading: str) -> str:
    """GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`|\*\*|__", "", heading.strip().lower())
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    out = set()
    text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.S | re.M)
    for m in re.finditer(r"^#{1,6}\s+(.*?)\s*#*\s*$", text, re.M):
        base = github_anchor(m.group(1))
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    return out


def relative_links(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)  # fenced code
    text = re.sub(r"`[^`\n]*`", "", text)  # inline code
    targets = re.findall(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", text)
    return [t for t in targets if not re.match(r"^[a-z][a-z0-9+.-]*:", t)]


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(path):
    broken = []
    for target in relative_links(path):
        file_part, _, anchor = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        if not dest.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{target} (no heading with anchor #{anchor} in {dest.name})")
    assert not broken, f"broken links in {path.relative_to(ROOT)}: {broken}"


def test_the_checks_work(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text(
        "# A title\n\n## Two words `code`\n\n[ok](#two-words-code) [bad](#nope) [file](missing.md)\n\n"
        "<!-- no-test -->\n```python\nraise SystemExit(1)\n```\n\n"
        "```python\nprint(1)  # -> 1\n```\n\n```text\n1\n```\n",
        encoding="utf-8",
    )
    assert anchors(doc) == {"a-title", "two-words-code"}
    assert relative_links(doc) == ["#two-words-code", "#nope", "missing.md"]
    blocks = code_blocks(doc)
    assert [b["skip"] for b in blocks] == [True, False, False]
    assert blocks[1]["output"] == "1"
