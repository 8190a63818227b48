"""The rule registry: one module per rule, each exposing ``RULE``."""

from __future__ import annotations

from dualworker_cli.check.model import Rule
from dualworker_cli.check.rules import (
    dw001_backend_routes,
    dw002_workers_dev,
    dw003_preview_urls,
    dw004_service_binding,
    dw005_route_auth,
    dw006_identity_header,
    dw007_secret_vars,
    dw008_assets_first,
    dw009_queues,
    dw010_classes,
    dw011_websocket_origin,
    dw012_named_entrypoint,
    dw013_compat_date,
    dw014_analysis_skipped,
    dw900_suppressions,
)

CHECKS: tuple[Rule, ...] = (
    dw001_backend_routes.RULE,
    dw002_workers_dev.RULE,
    dw003_preview_urls.RULE,
    dw004_service_binding.RULE,
    dw005_route_auth.RULE,
    dw006_identity_header.RULE,
    dw007_secret_vars.RULE,
    dw008_assets_first.RULE,
    dw009_queues.RULE,
    dw010_classes.RULE,
    dw011_websocket_origin.RULE,
    dw012_named_entrypoint.RULE,
    dw013_compat_date.RULE,
    dw014_analysis_skipped.RULE,
)
META: tuple[Rule, ...] = (dw900_suppressions.UNUSED, dw900_suppressions.NO_REASON)
ALL: dict[str, Rule] = {rule.id: rule for rule in (*CHECKS, *META)}
