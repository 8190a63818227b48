"""DW009: queue consumers without a dead-letter queue, and queues with only one side."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dualworker_cli.check.deploys import deploys
from dualworker_cli.check.model import Finding, Fix, Project, Rule, Severity, Worker
from dualworker_cli.check.parse.config import KeyPath
from dualworker_cli.check.rules.common import queue_entries

_DLQ_WORDS = re.compile(r"[-_.]?(?:dlq|dead[-_]?letters?(?:[-_]?queue)?)(?=$|[-_.])", re.I)


def dead_letter_for(queue: str, block_dlqs: set[str], known: set[str]) -> str | None:
    """An existing dead-letter queue for ``queue``, or None: ``--fix`` never names a queue nothing creates.

    ``known`` holds queues the project already has that look like dead-letter queues (another
    consumer's ``dead_letter_queue``, or a produced/consumed queue named ``*-dlq``): the one that is
    ``queue`` plus a DLQ word (``jobs-dlq``, ``jobs-dlq-staging`` for ``jobs-staging``) wins; else the
    single dead-letter queue other consumers in the same block share.
    """
    named = [dlq for dlq in sorted(known) if dlq != queue and _DLQ_WORDS.sub("", dlq) == queue]
    if len(named) == 1:
        return named[0]
    return next(iter(block_dlqs)) if len(block_dlqs) == 1 else None


def check(project: Project) -> Iterator[Finding]:
    producers: dict[str, list[tuple]] = {}
    consumers: dict[str, list[tuple]] = {}
    dead_letter: set[str] = set()
    missing: list[tuple[Worker, KeyPath, dict, set[str]]] = []
    for worker in project.workers:
        deployed = deploys(project, worker)
        for prefix, block in worker.blocks():
            block_dlqs: set[str] = set()
            for rel, entry in queue_entries(block, "producers"):
                producers.setdefault(entry["queue"], []).append((worker, (*prefix, *rel)))
            for rel, entry in queue_entries(block, "consumers"):
                consumers.setdefault(entry["queue"], []).append((worker, (*prefix, *rel)))
                dlq = entry.get("dead_letter_queue")
                if isinstance(dlq, str) and dlq:
                    dead_letter.add(dlq)
                    block_dlqs.add(dlq)
                elif deployed.deployed(prefix[1] if prefix else None):
                    # a block only `wrangler dev --env development` runs drops nothing in production
                    missing.append((worker, (*prefix, *rel), entry, block_dlqs))
    known = dead_letter | {q for q in (*producers, *consumers) if _DLQ_WORDS.search(q)}
    for worker, keypath, entry, block_dlqs in missing:
        queue = entry["queue"]
        if queue in known:
            continue  # the consumer of a dead-letter queue is the end of the line
        existing = dead_letter_for(queue, block_dlqs, known)
        message = (
            f"consumer of `{queue}` in `{worker.label}` has no `dead_letter_queue`: messages that exhaust "
            "`max_retries` are dropped"
        )
        fix = None
        if existing is not None:
            fix = Fix(
                f"set dead_letter_queue: {existing}",
                worker.config,
                "set",
                keypath,
                existing,
                "dead_letter_queue",
            )
            message += f" (`{existing}` exists in this project; `--fix` sets it)"
        else:
            message += (
                f"; create one (`npx wrangler queues create {queue}-dlq`) and set "
                f'`dead_letter_queue = "{queue}-dlq"` (no fix offered: no dead-letter queue exists yet)'
            )
        yield RULE.at(worker.config, (*keypath, "queue"), message, fix)
    for queue, places in producers.items():
        if queue not in consumers and queue not in dead_letter:
            for worker, keypath in places:
                yield RULE.at(
                    worker.config,
                    (*keypath, "queue"),
                    f"`{worker.label}` produces to `{queue}` but no Worker in this project consumes it",
                )
    for queue, places in consumers.items():
        if queue not in producers and queue not in known:  # the platform fills dead-letter queues
            for worker, keypath in places:
                buckets = _r2_buckets(worker)
                if buckets:
                    finding = RULE.at(
                        worker.config,
                        (*keypath, "queue"),
                        f"`{worker.label}` consumes `{queue}`, which no Worker in this project produces "
                        f"to; if an R2 event notification of `{buckets[0]}` feeds it, nothing is missing "
                        f"(`npx wrangler r2 bucket notification create {buckets[0]} --event-type "
                        f"object-create --queue {queue}`, or your infrastructure code)",
                    )
                    finding.severity = Severity.INFO
                    yield finding
                    continue
                yield RULE.at(
                    worker.config,
                    (*keypath, "queue"),
                    f"`{worker.label}` consumes `{queue}` but no Worker in this project produces to it",
                )


def _r2_buckets(worker: Worker) -> list[str]:
    """The R2 buckets a Worker binds (any block): R2 event notifications send to a queue from
    outside every Wrangler config (set with `wrangler r2 bucket notification create` or IaC), so a
    queue it consumes may be fed though no Worker produces to it."""
    names: list[str] = []
    for _, block in worker.blocks():
        for entry in block.get("r2_buckets") or []:
            name = entry.get("bucket_name") if isinstance(entry, dict) else None
            if isinstance(name, str) and name not in names:
                names.append(name)
    return names


RULE = Rule(
    id="DW009",
    name="queue-wiring",
    title="Queue consumer without dead-letter queue, or a queue with one side only",
    severity=Severity.WARNING,
    what="Across all Workers (top level and env blocks, whose `queues` are not inherited): a consumer "
    "without `dead_letter_queue` (except the consumer of a dead-letter queue itself, and one in an env "
    "block the project's deploy commands never deploy: a `wrangler dev --env development` block); "
    "a queue produced but consumed by nobody; a queue consumed but produced "
    "by nobody (dead-letter queues are exempt: the platform fills them; for a Worker that binds an R2 "
    "bucket it is an info, as an R2 event notification set up outside the config may feed it).",
    why="Without a dead-letter queue, a message that fails `max_retries` times (default 3) is silently "
    "dropped - the background job just never happens. A queue with only one side usually means an env "
    "block forgot its binding or a name has a typo (`jobs-staging` vs `jobs_staging`).",
    example='"queues": { "consumers": [{ "queue": "jobs", "max_retries": 3 }] }',
    fix='Add `"dead_letter_queue": "jobs-dlq"` to the consumer (and `npx wrangler queues create jobs-dlq`). '
    "`--fix` sets it only to a dead-letter queue the project already has (`jobs-dlq` for `jobs`, or the "
    "one other consumers in the same block share); it never names a queue nothing creates. Bind the "
    "missing producer or consumer, or fix the queue name.",
    fixable=True,
    hint="Add a dead_letter_queue / bind the missing side",
    check=check,
)
