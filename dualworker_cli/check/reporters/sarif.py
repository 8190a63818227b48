"""SARIF 2.1.0 for GitHub code scanning: every rule's page as metadata, findings as results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from dualworker_cli import __version__
from dualworker_cli.check.engine import Result
from dualworker_cli.check.model import Rule, Severity
from dualworker_cli.check.reporters import display_path
from dualworker_cli.check.rules import ALL

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
#: GitHub sorts security alerts by this CVSS-like score
SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.0", Severity.INFO: "2.0"}
INFO_URI = "https://github.com/dualworker/dualworker#dualworker-check"


def rule_markdown(rule: Rule) -> str:
    return (
        f"## What it does\n{rule.what}\n\n## Why is this bad?\n{rule.why}\n\n"
        f"## Example\n```\n{rule.example}\n```\n\n## How to fix\n{rule.fix}\n"
    )


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.what},
        "help": {"text": f"{rule.why}\n\nFix: {rule.fix}", "markdown": rule_markdown(rule)},
        "helpUri": f"{INFO_URI}",
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {
            "tags": ["security", "cloudflare-workers"],
            "precision": "high",
            "security-severity": SECURITY_SEVERITY[rule.severity],
        },
    }


def artifact_location(root: Path, path: str, cwd: Path | None = None) -> dict[str, str]:
    """A URI reference for a finding's file: relative to the current directory (the repository
    root in CI) and percent-encoded; a file outside it gets an absolute ``file:`` URI, since a
    ``../`` reference would climb out of ``%SRCROOT%``."""
    shown = display_path(root, path, cwd)
    if shown.startswith("../") or shown == ".." or Path(shown).is_absolute():
        return {"uri": (root / path).resolve().as_uri()}
    return {"uri": quote(shown), "uriBaseId": "%SRCROOT%"}


def render(result: Result) -> str:
    rules = list(ALL.values())
    index = {rule.id: i for i, rule in enumerate(rules)}
    root = result.project.root
    results = [
        {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": artifact_location(root, f.path),
                        "region": {"startLine": f.line, "startColumn": f.col},
                    }
                }
            ],
        }
        for f in result.findings
    ]
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "dualworker",
                        "version": __version__,
                        "informationUri": INFO_URI,
                        "rules": [rule_descriptor(r) for r in rules],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"
