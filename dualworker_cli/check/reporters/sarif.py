"""SARIF 2.1.0 for GitHub code scanning: every rule's page as metadata, findings as results."""

from __future__ import annotations

import json
from typing import Any

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
                        "artifactLocation": {"uri": display_path(root, f.path), "uriBaseId": "%SRCROOT%"},
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
