"""What every reporter shows about the run: roles, settings, counts."""

from __future__ import annotations

from typing import Any

from dualworker_cli.check.engine import Result
from dualworker_cli.check.model import Severity


def config_summary(result: Result) -> dict[str, Any]:
    """The settings and roles in effect (from dualworker.toml, or discovered)."""
    project, settings = result.project, result.project.settings
    return {
        "source": settings.source or "discovered from the service-binding graph",
        "workers": [w.config.rel for w in project.workers],
        "pairs": [
            {"front": p.front.config.rel, "backend": p.backend.config.rel, "binding": p.binding}
            for p in project.pairs
        ],
        "identity_header": settings.identity_header,
        "api_prefix": settings.api_prefix,
        "public_routes": settings.public_routes,
        "ignore": settings.ignore,
        "rules": [r.id for r in result.rules],
    }


def counts(result: Result) -> dict[str, int]:
    out = {s.label: 0 for s in sorted(Severity, reverse=True)}
    for finding in result.findings:
        out[finding.severity.label] += 1
    out["fixable"] = sum(1 for f in result.findings if f.fix is not None)
    out["suppressed"] = result.suppressed
    out["fixed"] = len(result.fixed)
    return out
