"""Machine-readable JSON: settings in effect, findings, counts."""

from __future__ import annotations

import json

from dualworker_cli import __version__
from dualworker_cli.check.engine import Result
from dualworker_cli.check.identity import configured_header, pair_identity
from dualworker_cli.check.reporters import display_path
from dualworker_cli.check.reporters.common import config_summary, counts
from dualworker_cli.check.rules import ALL


def render(result: Result) -> str:
    root = result.project.root
    config = config_summary(result)
    if any(rule.id == "DW006" for rule in result.rules):
        # per pair: the identity header(s) DW006 used, and where they were configured, read or set
        for entry, pair in zip(config["pairs"], result.project.pairs, strict=True):
            entry["identity"] = pair_identity(result.project, pair).as_json()
        if configured_header(result.project) is None:
            config["identity_header"] = None  # not configured: inferred per pair, see pairs[].identity
    payload = {
        "tool": "dualworker",
        "version": __version__,
        "root": str(root),
        "config": config,
        "findings": [
            {
                "rule": f.rule,
                "title": ALL[f.rule].title,
                "severity": f.severity.label,
                "path": display_path(root, f.path),
                "line": f.line,
                "column": f.col,
                "message": f.message,
                "fix": f.fix.description if f.fix else None,
            }
            for f in result.findings
        ],
        "fixed": result.fixed,
        "template_update": result.template_update,
        "summary": counts(result),
    }
    return json.dumps(payload, indent=2) + "\n"
