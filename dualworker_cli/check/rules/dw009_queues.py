"""DW009: queue consumers without a dead-letter queue, and queues with only one side."""

from __future__ import annotations

from collections.abc import Iterator

from dualworker_cli.check.model import Finding, Fix, Project, Rule, Severity
from dualworker_cli.check.rules.common import queue_entries


def check(project: Project) -> Iterator[Finding]:
    producers: dict[str, list[tuple]] = {}
    consumers: dict[str, list[tuple]] = {}
    dead_letter: set[str] = set()
    for worker in project.workers:
        for prefix, block in worker.blocks():
            for rel, entry in queue_entries(block, "producers"):
                producers.setdefault(entry["queue"], []).append((worker, (*prefix, *rel)))
            for rel, entry in queue_entries(block, "consumers"):
                consumers.setdefault(entry["queue"], []).append((worker, (*prefix, *rel)))
                dlq = entry.get("dead_letter_queue")
                if isinstance(dlq, str) and dlq:
                    dead_letter.add(dlq)
                else:
                    keypath = (*prefix, *rel)
                    fix = Fix(
                        f"set dead_letter_queue: {entry['queue']}-dlq",
                        worker.config,
                        "set",
                        keypath,
                        f"{entry['queue']}-dlq",
                        "dead_letter_queue",
                    )
                    yield RULE.at(
                        worker.config,
                        (*keypath, "queue"),
                        f"consumer of `{entry['queue']}` in `{worker.label}` has no `dead_letter_queue`: "
                        "messages that exhaust `max_retries` are dropped",
                        fix,
                    )
    for queue, places in producers.items():
        if queue not in consumers and queue not in dead_letter:
            for worker, keypath in places:
                yield RULE.at(
                    worker.config,
                    (*keypath, "queue"),
                    f"`{worker.label}` produces to `{queue}` but no Worker in this project consumes it",
                )
    for queue, places in consumers.items():
        if queue not in producers and queue not in dead_letter:
            for worker, keypath in places:
                yield RULE.at(
                    worker.config,
                    (*keypath, "queue"),
                    f"`{worker.label}` consumes `{queue}` but no Worker in this project produces to it",
                )


RULE = Rule(
    id="DW009",
    name="queue-wiring",
    title="Queue consumer without dead-letter queue, or a queue with one side only",
    severity=Severity.WARNING,
    what="Across all Workers (top level and env blocks, whose `queues` are not inherited): a consumer "
    "without `dead_letter_queue`; a queue produced but consumed by nobody; a queue consumed but produced "
    "by nobody (dead-letter queues are exempt: the platform fills them).",
    why="Without a dead-letter queue, a message that fails `max_retries` times (default 3) is silently "
    "dropped - the background job just never happens. A queue with only one side usually means an env "
    "block forgot its binding or a name has a typo (`jobs-staging` vs `jobs_staging`).",
    example='"queues": { "consumers": [{ "queue": "jobs", "max_retries": 3 }] }',
    fix='Add `"dead_letter_queue": "jobs-dlq"` to the consumer (and `npx wrangler queues create jobs-dlq`); '
    "`--fix` adds the key. Bind the missing producer or consumer, or fix the queue name.",
    fixable=True,
    hint="Add a dead_letter_queue / bind the missing side",
    check=check,
)
