"""benchmarks/real-world/run.py: scoring against labels, on a throw-away git repository (no network)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

RUN_PY = Path(__file__).resolve().parent.parent / "benchmarks" / "real-world" / "run.py"
BACKEND = (
    '{\n  "name": "data",\n  "main": "src/index.ts",\n  "compatibility_date": "2025-06-01",\n'
    '  "d1_databases": [{ "binding": "DB", "database_name": "data" }]\n}\n'
)
FRONT = """{
  "name": "front",
  "main": "src/index.ts",
  "compatibility_date": "2025-06-01",
  "services": [{ "binding": "BACKEND_SERVICE", "service": "data" }]
}
"""
FRONT_TS = """export default {
  async fetch(request, env) {
    if (!request.headers.has("Authorization")) return new Response("unauthorized", { status: 401 });
    return env.BACKEND_SERVICE.fetch(request);
  },
};
"""
BACKEND_TS = "export default { fetch: () => new Response('data') };\n"


def load_run() -> ModuleType:
    spec = importlib.util.spec_from_file_location("real_world_run", RUN_PY)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


def git(cwd: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "HOME": str(cwd),
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def corpus(tmp_path: Path) -> dict[str, Path | str]:
    """A mirror holding acme+pair (front + backend Workers), a corpus.toml naming it and a missing
    repo, and an empty labels folder."""
    work = tmp_path / "mirror" / "acme+pair" / "repo"
    for rel, text in {
        "apps/data/wrangler.jsonc": BACKEND,
        "apps/data/src/index.ts": BACKEND_TS,
        "apps/front/wrangler.jsonc": FRONT,
        "apps/front/src/index.ts": FRONT_TS,
    }.items():
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_text(text)
    git(work, "init", "-q")
    git(work, "add", ".")
    git(work, "commit", "-qm", "two workers")
    commit = git(work, "rev-parse", "HEAD")
    (work / "apps/data/wrangler.jsonc").write_text(BACKEND.replace('"data"', '"data2"'))
    git(work, "commit", "-qam", "later commit: the corpus pins the first one")
    labels = tmp_path / "labels"
    labels.mkdir()
    toml = tmp_path / "corpus.toml"
    toml.write_text(
        f'[[repo]]\nname = "acme/pair"\ncommit = "{commit}"\ndescription = "two workers"\n\n'
        '[[repo]]\nname = "acme/missing"\ncommit = "0000000000000000000000000000000000000000"\n'
    )
    return {"mirror": tmp_path / "mirror", "corpus": toml, "labels": labels, "commit": commit}


def args(corpus: dict[str, Path | str], *extra: str) -> list[str]:
    return [
        "--mirror",
        str(corpus["mirror"]),
        "--corpus",
        str(corpus["corpus"]),
        "--labels",
        str(corpus["labels"]),
        *extra,
    ]


def findings(run: ModuleType, corpus: dict[str, Path | str], tmp_path: Path) -> list:
    """What check reports on the pinned commit (read through run.py's own extraction)."""
    git_dir = run.find_git_dir(corpus["mirror"], "acme/pair")
    dest = tmp_path / "extracted"
    dest.mkdir()
    run.extract(git_dir, str(corpus["commit"]), dest)
    assert "data2" not in (dest / "apps/data/wrangler.jsonc").read_text()
    return [f for f in run.run_check(dest) if f.severity in ("warning", "error")]


def write_labels(path: Path, expected: list[tuple[str, str, int]], wrong: list[tuple[str, str, int]]) -> None:
    text = ""
    for kind, items in (("expected", expected), ("wrong", wrong)):
        for rule, rel, line in items:
            text += f'[[{kind}]]\nrule = "{rule}"\npath = "{rel}"\nline = {line}\nwhy = "test"\n\n'
    path.write_text(text)


def test_scores_tp_fp_fn_and_reports_missing_repo(
    corpus: dict[str, Path | str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = load_run()
    found = findings(run, corpus, tmp_path)
    dw002 = next(f for f in found if f.rule == "DW002")
    assert dw002.path == "apps/data/wrangler.jsonc"
    others = [f for f in found if f is not dw002]
    assert others, "the backend without workers_dev/preview_urls gives more than one finding"
    write_labels(
        Path(corpus["labels"]) / "acme__pair.toml",
        expected=[(dw002.rule, dw002.path, dw002.line), ("DW001", "apps/data/wrangler.jsonc", 99)],
        wrong=[(f.rule, f.path, f.line) for f in others],
    )
    assert run.main(args(corpus, "--json")) == 0
    data = json.loads(capsys.readouterr().out)
    pair = data["repos"]["acme/pair"]
    assert (pair["tp"], pair["fp"], pair["fn"]) == (1, len(others), 1)
    assert pair["precision"] == round(1 / (1 + len(others)), 3)
    assert pair["recall"] == 0.5
    assert data["rules"]["DW002"]["tp"] == 1
    assert data["rules"]["DW001"] == {"tp": 0, "fp": 0, "fn": 1, "precision": None, "recall": 0.0}
    assert data["repos"]["acme/missing"]["status"] == "not available"
    assert data["unlabelled"] == [] and data["crashes"] == {}


def test_unlabelled_findings_fail_unless_allowed(
    corpus: dict[str, Path | str], capsys: pytest.CaptureFixture[str]
) -> None:
    run = load_run()
    assert run.main(args(corpus, "--repo", "acme/pair")) == 1
    out = capsys.readouterr().out
    assert "unlabelled findings" in out and "DW002 apps/data/wrangler.jsonc" in out
    assert run.main(args(corpus, "--repo", "acme/pair", "--allow-unlabelled", "--json")) == 0
    pair = json.loads(capsys.readouterr().out)["repos"]["acme/pair"]
    assert pair["tp"] == 0 and pair["fp"] == pair["unlabelled"] > 0


def test_no_repo_available_exits_2(corpus: dict[str, Path | str], capsys: pytest.CaptureFixture[str]) -> None:
    run = load_run()
    assert run.main(args(corpus, "--repo", "acme/missing")) == 2
    assert "not available: acme/missing" in capsys.readouterr().out


def test_a_crash_is_a_failure(corpus: dict[str, Path | str], capsys: pytest.CaptureFixture[str]) -> None:
    run = load_run()
    work = Path(corpus["mirror"]) / "acme+pair" / "repo"
    (work / "apps/data/wrangler.jsonc").write_text("{ not json")
    git(work, "commit", "-qam", "broken config")
    text = Path(corpus["corpus"]).read_text().replace(str(corpus["commit"]), git(work, "rev-parse", "HEAD"))
    Path(corpus["corpus"]).write_text(text)
    assert run.main(args(corpus, "--repo", "acme/pair", "--allow-unlabelled")) == 1
    assert "CRASH acme/pair: ParseError" in capsys.readouterr().out
