"""DW007: secret-looking entries in ``vars``."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from dualworker_cli.check.model import Finding, Project, Rule, Severity
from dualworker_cli.check.rules.common import where

SECRET_NAME = re.compile(r"SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE|CREDENTIAL|KEY|SALT|SIGNING", re.I)
NOT_SECRET = re.compile(
    r"PUBLIC|PUBLISHABLE|SITE_?KEY"
    r"|(_URL|_URI|_ID|_NAME|_ISSUER|_AUDIENCE|_TTL|_SECONDS|_HEADER|_ALG|_ALGORITHMS?|_LENGTH|_EXPIRY"
    r"|_PREFIX|_SHA|_VERSION|_UUID|_HASH|_DIGEST)$",
    re.I,
)


_LOOPBACK = re.compile(
    r"^(?:127(?:\.\d{1,3}){3}|localhost|::1|\[::1\])$|://[^/@]*@?(?:127\.0\.0\.1|localhost)\b", re.I
)


def local_only(variables: dict[str, Any]) -> bool:
    """Do these vars describe a service on this machine (a host var or connection string on
    loopback)? Then a password beside them opens a local test database, not a deployed one."""
    return any(isinstance(v, str) and _LOOPBACK.search(v.strip()) for v in variables.values())


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


#: ids that are public by design, however random they look: a lower-case path such as a Workers
#: AI model (`@cf/meta/llama-3.1-8b-instruct`), Stripe's catalogue ids and publishable keys
#: (`price_...`, `prod_...`, `pk_live_...`; its secret keys are `sk_`/`rk_`/`whsec_`)
_PUBLIC_ID = re.compile(r"@?[a-z0-9][a-z0-9._-]*(?:/[a-z0-9._-]+)+$|(?:price|prod|plan|pk_live|pk_test)_\w+$")


def looks_random(value: Any) -> bool:
    """A long token-like string: base64/hex keys, not URLs, words or sentences."""
    if not isinstance(value, str) or len(value) < 24 or re.search(r"\s", value):
        return False
    if re.match(r"^[a-z][a-z0-9+.-]*://", value, re.I) or ("/" in value.strip("=") and "." in value):
        return False
    if _PUBLIC_ID.match(value):
        return False
    if re.fullmatch(r"[0-9a-fA-F]{32,}", value):
        return True
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    return classes >= 3 and entropy(value) >= 4.0


#: a storage key or file path (`curated/open.json`, `uploads/avatars/`) or a URL without credentials:
#: what a `*_KEY` var names when the key is an object's, not a secret
_LOCATOR = re.compile(
    r"^(?:[\w.-]+/)+[\w.-]*$|^[\w-]+\.(?:json|txt|csv|ya?ml|html?|png|jpe?g|svg|webp|gz|zip)$"
    r"|^[a-z][a-z0-9+.-]*://[^@\s?]*$",
    re.I,
)


def secret_reason(name: str, value: Any) -> str | None:
    if NOT_SECRET.search(name):  # says what it is: an id, a URL, a public or site key...
        return None
    # a number or a boolean (`MAX_TOKENS = 1024`, `ENABLE_API_KEY_AUTH = true`) is no secret, nor
    # is an object key or a path (`CURATED_OPEN_KEY = "curated/open.json"`)
    if isinstance(value, str) and _LOCATOR.match(value.strip()) and not looks_random(value.strip("/")):
        return None
    if SECRET_NAME.search(name) and not isinstance(value, (bool, int, float)):
        return "its name looks like a secret"
    if looks_random(value):
        return "its value looks like a random key"
    return None


def check(project: Project) -> Iterator[Finding]:
    for worker in project.mine(project.workers):
        for prefix, block in worker.blocks():
            variables = block.get("vars")
            if not isinstance(variables, dict):
                continue
            local = local_only(variables)
            for name, value in variables.items():
                reason = secret_reason(name, value)
                if reason and local and re.search(r"PASSWORD|PASSWD", name, re.I) and not looks_random(value):
                    continue  # the password of a database on 127.0.0.1: a test fixture
                if reason:
                    yield RULE.at(
                        worker.config,
                        (*prefix, "vars", name),
                        f"`vars.{name}` ({where(prefix)}) of `{worker.label}`: {reason}; vars are plain "
                        "text in the config, the repository and the dashboard",
                    )


RULE = Rule(
    id="DW007",
    name="secret-in-vars",
    title="Secret-looking value in `vars`",
    severity=Severity.ERROR,
    what="Flags `vars` entries (top level and env blocks, every Worker) whose name contains SECRET, "
    "TOKEN, KEY, PASSWORD, PRIVATE, CREDENTIAL, SALT or SIGNING and whose value is not a number or a "
    "boolean, or whose value is a long high-entropy string - except names that say what they are "
    "(PUBLIC..., ...SITE_KEY, ..._URL, ..._ID, ..._SHA and the like) and values that are public ids "
    "however random they look (a Workers AI model such as `@cf/meta/llama-3.1-8b-instruct`, Stripe's "
    "`price_`/`prod_` ids and `pk_` publishable keys).",
    why="`vars` are committed with the config, shown in the dashboard and in `wrangler deploy` output. "
    "A JWT signing secret there lets anyone with read access to the repository mint tokens for any user.",
    example='"vars": { "JWT_SECRET": "s3cr3t-signing-key" }',
    fix="Remove it from `vars` and store it as a secret: `npx wrangler secret put JWT_SECRET` (per env: "
    "`--env staging`); for local development put it in `.dev.vars`, which is git-ignored.",
    hint="Use `wrangler secret put NAME` (and .dev.vars locally)",
    check=check,
    sharded=True,
)
