"""Score `dualworker check` against hand-labelled public dual-worker repositories.

For each `[[repo]]` of corpus.toml: find its snapshot under --mirror (the `owner+name` git
directories that the search tool's fetch writes), extract the labelled commit into a temporary
folder, run `engine.run()` in-process on `subdir`, and match the warning/error findings to
labels/<owner>__<name>.toml by (rule, path, line) and, when given, a substring of the message.

TP = a finding matching an `expected` label; FP = a finding matching a `wrong` label (or an
unlabelled finding, with --allow-unlabelled); FN = an `expected` label no finding matches.
Exit: 0 done; 1 unlabelled findings (without --allow-unlabelled) or a crash; 2 no repo available.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_MIRROR = Path("/work/.mirror")
SCORED = ("warning", "error")


@dataclass(frozen=True)
class Label:
    kind: str  # "expected" | "wrong"
    rule: str
    path: str
    line: int
    why: str
    match: str = ""

    def matches(self, finding: Found) -> bool:
        return (
            self.rule == finding.rule
            and self.path == finding.path
            and self.line == finding.line
            and self.match in finding.message
        )

    def describe(self) -> str:
        extra = f" [{self.match}]" if self.match else ""
        return f"{self.rule} {self.path}:{self.line}{extra} - {self.why}"


@dataclass(frozen=True)
class Found:
    rule: str
    path: str
    line: int
    severity: str
    message: str

    def describe(self) -> str:
        return f"{self.severity:7} {self.rule} {self.path}:{self.line} {self.message}"


@dataclass(frozen=True)
class Repo:
    name: str
    commit: str
    subdir: str = ""
    description: str = ""

    @property
    def slug(self) -> str:
        return self.name.replace("/", "__")


@dataclass
class Outcome:
    repo: Repo
    status: str = "ok"  # ok | not available | crash
    detail: str = ""
    tp: list[tuple[Found, Label]] = field(default_factory=list)
    fp: list[tuple[Found, Label | None]] = field(default_factory=list)
    fn: list[Label] = field(default_factory=list)
    unlabelled: list[Found] = field(default_factory=list)
    info: list[Found] = field(default_factory=list)
    ambiguous: list[Label] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# corpus, labels


def load_corpus(path: Path) -> list[Repo]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Repo(str(r["name"]), str(r["commit"]), str(r.get("subdir", "")), str(r.get("description", "")))
        for r in data.get("repo", [])
    ]


def load_labels(path: Path) -> list[Label]:
    if not path.is_file():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    labels: list[Label] = []
    for kind in ("expected", "wrong"):
        for item in data.get(kind, []):
            labels.append(
                Label(
                    kind,
                    str(item["rule"]),
                    str(item["path"]),
                    int(item["line"]),
                    str(item.get("why", "")),
                    str(item.get("match", "")),
                )
            )
    return labels


# ---------------------------------------------------------------------------------------------
# snapshots


def _git(git_dir: Path, *args: str, data: bool = False) -> subprocess.CompletedProcess[Any]:
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", *args], capture_output=True, text=not data, check=False
    )


def find_git_dir(mirror: Path, name: str) -> Path | None:
    """The git directory of `owner/name` under the mirror: `owner+name/repo[/.git]` or bare."""
    base = mirror / name.replace("/", "+")
    for candidate in (base / "repo" / ".git", base / "repo", base / ".git", base):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def extract(git_dir: Path, commit: str, dest: Path) -> None:
    """Write the tree of `commit` into `dest`. Snapshots can lack large blobs: `git archive` then
    fails, and the files are written one by one, leaving out the missing ones."""
    archive = _git(git_dir, "archive", "--format=tar", commit, data=True)
    if archive.returncode == 0:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(dest, filter="data")
        return
    listing = _git(git_dir, "ls-tree", "-r", "-z", commit, data=True)
    if listing.returncode != 0:
        raise RuntimeError(listing.stderr.decode(errors="replace").strip())
    for entry in listing.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        mode, kind, obj = meta.decode().split()
        if kind != "blob" or mode == "120000":
            continue
        blob = _git(git_dir, "cat-file", "blob", obj, data=True)
        if blob.returncode != 0:
            continue
        target = dest / raw_path.decode(errors="replace")
        if dest.resolve() not in target.resolve().parents:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob.stdout)


# ---------------------------------------------------------------------------------------------
# scoring


def run_check(folder: Path) -> list[Found]:
    from dualworker_cli.check import engine

    result = engine.run(folder)
    return [Found(f.rule, f.path, f.line, f.severity.label, f.message) for f in result.findings]


def score(outcome: Outcome, findings: Iterable[Found], labels: Sequence[Label], allow: bool) -> None:
    hits: dict[Label, int] = {}
    expected = [label for label in labels if label.kind == "expected"]
    wrong = [label for label in labels if label.kind == "wrong"]
    for found in findings:
        if found.severity not in SCORED:
            outcome.info.append(found)
            continue
        label = next((lb for lb in expected if lb.matches(found)), None)
        label = label or next((lb for lb in wrong if lb.matches(found)), None)
        if label is None:
            outcome.unlabelled.append(found)
            if allow:
                outcome.fp.append((found, None))
            continue
        hits[label] = hits.get(label, 0) + 1
        if label.kind == "expected":
            outcome.tp.append((found, label))
        else:
            outcome.fp.append((found, label))
    outcome.fn = [label for label in expected if label not in hits]
    outcome.ambiguous = [label for label, n in hits.items() if n > 1]


def evaluate(repo: Repo, mirror: Path, labels_dir: Path, allow: bool) -> Outcome:
    outcome = Outcome(repo)
    git_dir = find_git_dir(mirror, repo.name)
    if git_dir is None:
        outcome.status, outcome.detail = "not available", f"no snapshot under {mirror}"
        return outcome
    if _git(git_dir, "cat-file", "-e", f"{repo.commit}^{{commit}}").returncode != 0:
        outcome.status, outcome.detail = "not available", f"commit {repo.commit[:12]} not in {git_dir}"
        return outcome
    from dualworker_cli.check.engine import RuleCrash, UsageError
    from dualworker_cli.check.parse.errors import ParseError

    with tempfile.TemporaryDirectory(prefix="dw-corpus-") as tmp:
        root = Path(tmp) / "src"
        root.mkdir()
        try:
            extract(git_dir, repo.commit, root)
        except (RuntimeError, OSError, tarfile.TarError) as exc:
            outcome.status, outcome.detail = "not available", f"extract failed: {exc}"
            return outcome
        try:
            findings = run_check(root / repo.subdir if repo.subdir else root)
        except (ParseError, RuleCrash, UsageError) as exc:
            outcome.status, outcome.detail = "crash", f"{type(exc).__name__}: {exc}"
            return outcome
        except Exception as exc:  # a bug anywhere in check is a crash of the run, not of the script
            outcome.status, outcome.detail = "crash", f"{type(exc).__name__}: {exc}"
            return outcome
    score(outcome, findings, load_labels(labels_dir / f"{repo.slug}.toml"), allow)
    return outcome


# ---------------------------------------------------------------------------------------------
# reporting


def ratio(num: int, den: int) -> str:
    return f"{num / den:.2f}" if den else "-"


def counts(tp: int, fp: int, fn: int) -> dict[str, Any]:
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "recall": round(tp / (tp + fn), 3) if tp + fn else None,
    }


def per_rule(outcomes: Sequence[Outcome]) -> dict[str, list[int]]:
    table: dict[str, list[int]] = {}
    for out in outcomes:
        for found, _ in out.tp:
            table.setdefault(found.rule, [0, 0, 0])[0] += 1
        for found, _ in out.fp:
            table.setdefault(found.rule, [0, 0, 0])[1] += 1
        for label in out.fn:
            table.setdefault(label.rule, [0, 0, 0])[2] += 1
    return dict(sorted(table.items()))


def summary(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    scored = [o for o in outcomes if o.status == "ok"]
    tp, fp, fn = (sum(len(getattr(o, k)) for o in scored) for k in ("tp", "fp", "fn"))
    return {
        "repos": {
            o.repo.name: {
                "status": o.status,
                "detail": o.detail,
                "commit": o.repo.commit,
                **counts(len(o.tp), len(o.fp), len(o.fn)),
                "unlabelled": len(o.unlabelled),
                "info": len(o.info),
            }
            for o in outcomes
        },
        "rules": {rule: counts(*c) for rule, c in per_rule(scored).items()},
        "total": counts(tp, fp, fn),
        "unlabelled": [
            {"repo": o.repo.name, "rule": f.rule, "path": f.path, "line": f.line, "message": f.message}
            for o in outcomes
            for f in o.unlabelled
        ],
        "crashes": {o.repo.name: o.detail for o in outcomes if o.status == "crash"},
        "not_available": {o.repo.name: o.detail for o in outcomes if o.status == "not available"},
    }


def row(cells: Sequence[Any], widths: Sequence[int]) -> str:
    return "  ".join(
        str(c).ljust(w) if i == 0 else str(c).rjust(w)
        for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    )


def print_table(title: str, rows: Sequence[Sequence[Any]]) -> None:
    head = ("", "TP", "FP", "FN", "prec", "recall")
    widths = [max(len(str(r[0])) for r in [head, *rows]), 4, 4, 4, 6, 6]
    print(f"\n{title}")
    print(row(head, widths))
    for r in rows:
        print(row(r, widths))


def report(outcomes: Sequence[Outcome], verbose: bool) -> None:
    scored = [o for o in outcomes if o.status == "ok"]
    repo_rows = []
    for o in outcomes:
        if o.status != "ok":
            repo_rows.append((f"{o.repo.name} ({o.status})", "", "", "", "", ""))
            continue
        tp, fp, fn = len(o.tp), len(o.fp), len(o.fn)
        repo_rows.append((o.repo.name, tp, fp, fn, ratio(tp, tp + fp), ratio(tp, tp + fn)))
    tp, fp, fn = (sum(len(getattr(o, k)) for o in scored) for k in ("tp", "fp", "fn"))
    repo_rows.append(("TOTAL", tp, fp, fn, ratio(tp, tp + fp), ratio(tp, tp + fn)))
    print_table("per repository", repo_rows)
    rule_rows = [(r, a, b, c, ratio(a, a + b), ratio(a, a + c)) for r, (a, b, c) in per_rule(scored).items()]
    print_table("per rule", rule_rows)
    if verbose:
        for o in scored:
            print(f"\n== {o.repo.name}")
            for found, label in o.fp:
                print(f"  FP {found.describe()}" + (f"\n     why: {label.why}" if label else ""))
            for label in o.fn:
                print(f"  FN {label.describe()}")
    for o in scored:
        for label in o.ambiguous:
            print(f"\nnote: {o.repo.name}: label matches several findings, add `match`: {label.describe()}")
    unlabelled = [(o, f) for o in outcomes for f in o.unlabelled]
    if unlabelled:
        print(f"\nunlabelled findings ({len(unlabelled)}): add them to labels/<owner>__<name>.toml")
        for o, f in unlabelled:
            print(f"  {o.repo.name}: {f.describe()}")
    info = sum(len(o.info) for o in outcomes)
    if info:
        print(f"\ninfo-level findings (not scored): {info}")
    for o in outcomes:
        if o.status == "crash":
            print(f"\nCRASH {o.repo.name}: {o.detail}")
        elif o.status == "not available":
            print(f"\nnot available: {o.repo.name}: {o.detail}")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=DEFAULT_MIRROR, help="folder of owner+name snapshots")
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus.toml")
    parser.add_argument("--labels", type=Path, default=HERE / "labels")
    parser.add_argument("--repo", action="append", default=[], help="owner/name to run (repeatable)")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    parser.add_argument("--allow-unlabelled", action="store_true", help="score unlabelled findings as FP")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every FP and FN")
    parser.add_argument(
        "--code", type=Path, help="a dualworker checkout to import instead of the installed one"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.code:
        sys.path.insert(0, str(args.code.resolve()))
    os.environ.setdefault("DUALWORKER_OFFLINE", "1")
    repos = load_corpus(args.corpus)
    if args.repo:
        unknown = set(args.repo) - {r.name for r in repos}
        if unknown:
            print(f"unknown repo(s): {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        repos = [r for r in repos if r.name in args.repo]
    outcomes = [evaluate(r, args.mirror, args.labels, args.allow_unlabelled) for r in repos]
    if args.json:
        print(json.dumps(summary(outcomes), indent=2))
    else:
        report(outcomes, args.verbose)
    if not any(o.status != "not available" for o in outcomes):
        return 2
    if any(o.status == "crash" for o in outcomes):
        return 1
    if not args.allow_unlabelled and any(o.unlabelled for o in outcomes):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
