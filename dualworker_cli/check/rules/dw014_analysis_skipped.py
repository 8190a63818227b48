"""DW014: say which analyses did not run, and what to add so they do (never a silent skip)."""

from __future__ import annotations

from collections.abc import Iterator

from dualworker_cli.check.model import Finding, Project, Rule, Severity, Worker
from dualworker_cli.check.parse import paths as fs
from dualworker_cli.check.rules.dw010_classes import bound_classes

FRONT_RULES = ("DW005", "DW006", "DW011")
BACKEND_RULES = ("DW012",)
#: public-URL rules, which for a hand-written backend need its code (does it authenticate itself?)
EXPOSURE_RULES = ("DW001", "DW002", "DW003")
CLASS_RULES = ("DW010",)


def _skipped_rules(project: Project, worker: Worker) -> list[str]:
    """Rules that read ``worker``'s code (its role decides which)."""
    rules: list[str] = []
    if project.pairs_of(worker, "front"):
        rules += FRONT_RULES
        if any(isinstance(block.get("assets"), dict) for _, block in worker.blocks()):
            rules.append("DW008")  # the forwarded paths come from its code; no prefix is guessed
    if project.pairs_of(worker, "backend"):
        rules += BACKEND_RULES
        from dualworker_cli.check.backend_analysis import code_unread

        if project.mode != "dualworker.toml" and code_unread(worker):
            rules += EXPOSURE_RULES  # whether it authenticates on its own is unknown: not guessed
    if next(bound_classes(worker), None) is not None:
        rules += CLASS_RULES
    return sorted(set(rules))


def _where_to_add(project: Project, worker: Worker) -> str:
    """Where the user can name the entry: ``main``, or the settings file's entry key for this role."""
    front = bool(project.pairs_of(worker, "front"))
    key = "`entry` under [front]" if front else "`entry` under [backend]"
    return (
        f"add `main` to the config, or {key} (`front_entry`/`backend_entry` in [[pair]]) in dualworker.toml"
    )


def _reason(project: Project, worker: Worker) -> str | None:
    """Why the code of ``worker`` cannot be read (None: it can)."""
    language = worker.language
    main = worker.config.data.get("main")
    if language is None and worker.pages:
        from dualworker_cli.check.analysis import pages_functions

        if pages_functions(worker):
            return None  # its Pages Functions are its code, and they are read
        return (
            "it is a Pages project without Pages Functions (`functions/`) nor `main`: no code of its "
            "own reaches the backend that these rules could read"
        )
    if language is None:
        return (
            "`main` is not set (the entry is given on the wrangler command line?), so its code was not read; "
            + _where_to_add(project, worker)
        )
    if language == "python":
        return (
            f'it is a Python Worker (`main = "{main}"`), and these rules read TypeScript/JavaScript only; '
            "review its routes' auth and the headers it trusts by hand"
        )
    if language == "other":
        return f"it has an entry these rules cannot read (`{worker.main}`); point `main` at the source module"
    if worker.main is not None and not fs.is_file(worker.main):
        shown = main if isinstance(main, str) else worker.entry_source
        return (
            f"`main` ({shown}) does not exist (a build output?), so its code was not read; point `main` "
            "at the source module, or set `entry` in dualworker.toml"
        )
    return None


def check(project: Project) -> Iterator[Finding]:
    if not project.pairs and project.workers and project.lead:
        bound = (w for w in project.workers for _, block in w.blocks() if w.services(block))
        binder = next(bound, project.workers[0])
        yield RULE.at(
            binder.config,
            ("name",),
            "no front/backend pair was found, so the rules about a pair (DW001-DW003, DW005, DW006, DW008, "
            "DW011-DW013) did not run: fix the service binding DW004 reports, check the folder that holds "
            "both Workers, or name the pair in dualworker.toml",
        )
    for worker in project.mine(project.workers):
        rules = _skipped_rules(project, worker)
        if not rules:
            continue
        reason = _reason(project, worker)
        if reason is not None:
            yield RULE.at(
                worker.config,
                ("main",) if "main" in worker.config.data else ("name",),
                f"{'/'.join(rules)} did not run on `{worker.label}`: {reason}"
                + (
                    "; whether it authenticates requests itself is unknown, so its public URLs are not "
                    "reported: review them by hand"
                    if "DW002" in rules
                    else ""
                ),
            )
    for skipped in project.mine(project.skipped):
        if skipped.config is not None:
            yield RULE.at(skipped.config, ("name",), f"not checked: {skipped.message}")
        else:
            yield RULE.at_pos(skipped.path, 1, 1, f"not checked: {skipped.message}")


RULE = Rule(
    id="DW014",
    name="analysis-skipped",
    title="An analysis did not run (information: what to add so it does)",
    severity=Severity.INFO,
    what="Reports, as information, every check that could not run: a front or backend whose config "
    "has no `main` (the entry is passed on the command line, `wrangler deploy src/index.ts`), whose "
    "`main` does not exist, or which is a Python Worker (the code rules DW005/DW006/DW008/DW011/DW012/DW010 "
    "read TypeScript and JavaScript); and a file that looks like a Wrangler config but could not be "
    "used (another config for the same Worker in the same folder, a parse error); and a project where "
    "no front/backend pair was found (its only binding names a Worker no config defines, or several).",
    why="A linter that quietly skips what it cannot read gives false comfort: no DW005 finding on a "
    "Worker whose code was never read is not a clean bill. Severity is info, so the default "
    "`--fail-on error` never fails on it.",
    example='name = "api"\ncompatibility_date = "2026-11-01"\n# deployed with: wrangler deploy src/index.ts',
    fix="Add `main` to the config, or `entry` under `[front]`/`[backend]` (`front_entry`/`backend_entry` "
    "in `[[pair]]`) in `dualworker.toml`. A `wrangler deploy <script>` in package.json is followed "
    "already. Python Workers need a manual review.",
    hint="Add `main` or an entry in dualworker.toml",
    check=check,
    sharded=True,
)
