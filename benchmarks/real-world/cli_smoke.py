"""Run the `dualworker check` command line on every corpus snapshot, the way users do: each reporter
(table, JSON, SARIF), `--init` and `--fix` (on a throwaway copy). `run.py` scores findings in-process;
this catches what only the command line does (reporters, file writes, exit codes).

    python benchmarks/real-world/cli_smoke.py [--mirror DIR] [--repo OWNER/NAME]

Exit 1 when a run prints a traceback or exits with anything but 0 (clean) or 1 (findings); `--init`
may also refuse with exit 2 and one located line when discovery paired nothing (no pair to write).
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parent.parent
#: the command-line variants each snapshot is run with
VARIANTS: tuple[tuple[str, ...], ...] = (
    (),
    ("--format", "json"),
    ("--format", "sarif"),
    ("--init",),
    ("--fix",),
)


def _corpus_tools() -> Any:
    """The sibling ``run.py`` (snapshot extraction, corpus list), loaded by path: benchmarks is no package."""
    spec = importlib.util.spec_from_file_location("real_world_run", HERE / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["real_world_run"] = module
    spec.loader.exec_module(module)
    return module


def smoke(folder: Path, variant: Sequence[str]) -> str | None:
    """What went wrong running ``check`` with ``variant`` on ``folder``, or None."""
    proc = subprocess.run(
        [sys.executable, "-m", "dualworker_cli", "check", str(folder), *variant],
        capture_output=True,
        text=True,
        cwd=CHECKOUT,
        timeout=600,
        check=False,
    )
    output = proc.stdout + proc.stderr
    if proc.returncode in (0, 1) and "Traceback" not in output:
        return None
    refused = output.strip().startswith("error: ") and len(output.strip().splitlines()) == 1
    if variant == ("--init",) and proc.returncode == 2 and refused and "no front/backend pair" in output:
        return None
    return f"exit {proc.returncode}: {output.strip()[-400:]}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--repo", action="append", default=[])
    args = parser.parse_args(argv)
    tools = _corpus_tools()
    repos = [r for r in tools.load_corpus(HERE / "corpus.toml") if not args.repo or r.name in args.repo]
    failures = checked = 0
    for repo in repos:
        git_dir = tools.find_git_dir(args.mirror, repo.name)
        if git_dir is None:
            print(f"skipped {repo.name}: no snapshot under {args.mirror}")
            continue
        with tempfile.TemporaryDirectory(prefix="dw-smoke-") as tmp:
            root = Path(tmp) / "repo"
            tools.extract(git_dir, repo.commit, root)
            folder = root / repo.subdir if repo.subdir else root
            for variant in VARIANTS:
                problem = smoke(folder, variant)
                if problem is not None:
                    failures += 1
                    print(f"FAIL {repo.name} check {' '.join(variant)}: {problem}")
        checked += 1
        print(f"ok {repo.name}", flush=True)
    print(f"{checked} repositories x {len(VARIANTS)} variants, {failures} failures")
    return 1 if failures or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
