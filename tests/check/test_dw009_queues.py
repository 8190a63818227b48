"""DW009: the dead-letter fix names only a queue the project already has."""

from __future__ import annotations

import tomllib
from pathlib import Path

from dualworker_cli.check.engine import run_with_fixes
from dualworker_cli.check.rules.dw009_queues import dead_letter_for
from tests.check.fixtures import copy_fixture, found, lint
from tests.check.helpers import findings_for
from tests.test_check_support import backend, front, make_project


def test_existing_dead_letter_queue_is_offered() -> None:
    result = lint("dlq-existing")
    assert found(result) == [("DW009", "api/wrangler.toml", 9)]
    [finding] = result.findings
    assert finding.fix is not None and finding.fix.value == "outbox-dlq"
    assert "`outbox-dlq` exists in this project" in finding.message


def test_fix_writes_the_existing_queue(tmp_path: Path) -> None:
    root = copy_fixture("dlq-existing", tmp_path)
    after = run_with_fixes(root)
    assert after.findings == []
    data = tomllib.loads((root / "api" / "wrangler.toml").read_text())
    assert data["queues"]["consumers"][0]["dead_letter_queue"] == "outbox-dlq"


def test_no_dead_letter_queue_no_fix_and_says_what_to_do(tmp_path: Path) -> None:
    result = lint("dlq-missing")
    [finding] = result.findings
    assert finding.fix is None
    assert "npx wrangler queues create outbox-dlq" in finding.message
    root = copy_fixture("dlq-missing", tmp_path)
    before = (root / "api" / "wrangler.toml").read_text()
    assert run_with_fixes(root).fixed == []
    assert (root / "api" / "wrangler.toml").read_text() == before


def test_dead_letter_choice() -> None:
    known = {"jobs-dlq", "jobs-dlq-staging", "mail_dead_letter"}
    assert dead_letter_for("jobs", set(), known) == "jobs-dlq"
    assert dead_letter_for("jobs-staging", set(), known) == "jobs-dlq-staging"
    assert dead_letter_for("mail", set(), known) == "mail_dead_letter"
    assert dead_letter_for("other", {"shared-dlq"}, known) == "shared-dlq"  # the block's convention
    assert dead_letter_for("other", {"a-dlq", "b-dlq"}, known) is None
    assert dead_letter_for("other", set(), known) is None


def test_dw009_queue_wiring(tmp_path: Path) -> None:
    back = backend()
    del back["queues"]["consumers"][0]["dead_letter_queue"]
    back["queues"]["consumers"].append({"queue": "orphans", "dead_letter_queue": "orphans-dlq"})
    data = front()
    data["queues"]["producers"].append({"binding": "AUDIT", "queue": "audit"})
    messages = [f.message for f in findings_for(make_project(tmp_path, front=data, backend=back), "DW009")]
    assert len(messages) == 3
    assert any("has no `dead_letter_queue`" in m for m in messages)
    assert any("produces to `audit`" in m for m in messages)
    assert any("consumes `orphans`" in m for m in messages)


def test_queue_a_bucket_notification_may_feed_is_an_info(tmp_path: Path) -> None:
    """A consumed queue nothing in the project produces to, in a Worker that binds an R2 bucket:
    an R2 event notification (set up outside every Wrangler config) may feed it, so the finding
    is an info naming the command, not a warning."""
    from dualworker_cli.check.model import Severity

    back = backend()
    back["queues"]["consumers"].append({"queue": "uploads", "dead_letter_queue": "uploads-dlq"})
    root = make_project(tmp_path / "plain", backend=back)
    [plain] = [f for f in findings_for(root, "DW009") if "`uploads`" in f.message]
    assert plain.severity is Severity.WARNING
    back["r2_buckets"] = [{"binding": "FILES", "bucket_name": "user-files"}]
    root = make_project(tmp_path / "r2", backend=back)
    [info] = [f for f in findings_for(root, "DW009") if "`uploads`" in f.message]
    assert info.severity is Severity.INFO
    assert (
        "r2 bucket notification create user-files --event-type object-create --queue uploads" in info.message
    )
