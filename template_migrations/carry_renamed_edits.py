"""Copier migration: carry the user's edits of a file the template renamed into its new path.

Why: Copier's update applies the user's edits as a patch on the *old* path, finds nothing there
in the new template version, and finally deletes the old file. Without this step a user's
changes to a renamed file would vanish from the working tree (left only in git history or a
``.rej``). Runs in the ``after`` stage, in the project folder, with Copier's own Python:

    carry_renamed_edits.py TEMPLATE_SRC VERSION_FROM OLD_PATH NEW_PATH

It re-renders the previous template version (the pristine base of OLD_PATH), and when the
user's OLD_PATH (from git HEAD) differs from it, 3-way merges those edits into NEW_PATH:
``git merge-file`` with Copier's conflict labels, and an unmerged index entry on conflict, so
`git status`, `copier update` users and `dualworker update` all see an ordinary conflict.
Does nothing when the user never had or never edited OLD_PATH, or the new version has no
NEW_PATH (e.g. the pattern owning it is not chosen).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

LABELS = ["-L", "before updating", "-L", "last update", "-L", "after updating"]


def git(*args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], input=stdin, capture_output=True, text=True, check=check)


def head_text(path: str) -> str | None:
    """A file as committed before the update (``./`` makes the path relative to this folder)."""
    result = git("show", f"HEAD:./{path}", check=False)
    return result.stdout if result.returncode == 0 else None


def pristine(src: str, version_from: str, path: str) -> str:
    """OLD_PATH as the previous template version rendered it with the previous answers."""
    import yaml
    from copier import run_copy
    from copier.errors import DirtyLocalWarning

    answers = yaml.safe_load(head_text(".copier-answers.yml") or "{}") or {}
    data = {k: v for k, v in answers.items() if not str(k).startswith("_")}
    with tempfile.TemporaryDirectory(prefix="dualworker-migration.") as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", DirtyLocalWarning)
        run_copy(src, tmp, data=data, vcs_ref=version_from, defaults=True, quiet=True, skip_tasks=True)
        base = Path(tmp, path)
        return base.read_text(encoding="utf-8") if base.is_file() else ""


def mark_unmerged(path: str, base: str, ours: str, theirs: str) -> None:
    """Record the conflict in the index (stages 1-3), as Copier does for its own conflicts."""
    full = git("rev-parse", "--show-prefix").stdout.strip() + path
    top = git("rev-parse", "--show-toplevel").stdout.strip()
    lines = [f"0 {'0' * 40}\t{full}"]
    for stage, text in ((1, base), (2, ours), (3, theirs)):
        sha = git("hash-object", "-w", "--stdin", stdin=text).stdout.strip()
        lines.append(f"100644 {sha} {stage}\t{full}")
    git("-C", top, "update-index", "--index-info", stdin="\n".join(lines) + "\n")


def main(src: str, version_from: str, old: str, new: str) -> int:
    ours = head_text(old)
    target = Path(new)
    if ours is None or not target.is_file():
        return 0
    base = pristine(src, version_from, old)
    if ours == base:
        return 0  # never edited: the new file as the template ships it is right
    theirs = target.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="dualworker-merge.") as tmp:
        base_file, theirs_file = Path(tmp, "base"), Path(tmp, "theirs")
        base_file.write_text(base, encoding="utf-8")
        theirs_file.write_text(theirs, encoding="utf-8")
        target.write_text(ours, encoding="utf-8")
        result = git("merge-file", *LABELS, "--", str(target), str(base_file), str(theirs_file), check=False)
    if result.returncode < 0 or result.returncode > 127:
        target.write_text(theirs, encoding="utf-8")
        print(f"could not merge your edits of {old} into {new}: {result.stderr.strip()}", file=sys.stderr)
        return 1
    Path(f"{old}.rej").unlink(missing_ok=True)  # Copier's leftover for the old path: carried now
    Path(old).unlink(missing_ok=True)
    if result.returncode > 0:
        mark_unmerged(new, base, ours, theirs)
        print(f"{old} moved to {new}: your edits conflict there, resolve the markers", file=sys.stderr)
    else:
        print(f"{old} moved to {new}: your edits were carried over", file=sys.stderr)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
