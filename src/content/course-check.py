#!/usr/bin/env python3
# Written by cohort-bot from the course content. Do not edit: the bot only counts an exercise when this file,
# exercises.json beside it and the workflow are exactly as published.
"""
The course's check for one exercise, run by .github/workflows/course.yml as `python3 -I .github/course/check.py <id>`.

It proves that the exercise's official tests ran and passed, rather than trusting `cargo test` to exit 0:
  1. no cargo configuration or toolchain file in the repository (they can change how tests are built or run);
  2. `cargo metadata`: the exercise is the course workspace's package, its official test targets exist with
     their official source files, it has no build script, every crate it depends on comes from crates.io, and
     its direct dependencies are the published ones (unless the exercise allows more);
  3. `cargo test -p <id> --no-fail-fast --test <target>` for each official target, streamed, counting libtest's
     `test result:` lines: one per official target, none failed, and exactly as many passed as the course
     publishes for the exercise.
`--plan` instead decides which exercises the push concerns: those whose files (all but tests/, target/ and *.md)
differ from the starter the course published. It writes `touched=<JSON list of ids>` to $GITHUB_OUTPUT (and prints
it), so the workflow runs only their jobs; the others end "skipped", which the bot reads as "not started".
Every problem is one `::error title=...::...` line (a GitHub Actions annotation); the exit status is 1 on any.
Each failing test is one too, titled "Failing test", its message `<target>::<test name>`: the bot reads them.
Only the standard library is used, so `python3 -I` (no script folder or user site on sys.path) runs it anywhere.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CRATES_IO = ("registry+https://github.com/rust-lang/crates.io-index", "sparse+https://index.crates.io/")
CARGO_CONFIGS = ("config", "config.toml")
TOOLCHAIN_FILES = ("rust-toolchain", "rust-toolchain.toml")
RESULT = re.compile(r"^test result: (ok|FAILED)\. (\d+) passed; (\d+) failed; (\d+) ignored")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# libtest's line for a failed test, also for `#[should_panic]` tests that did not panic.
FAILED_TEST = re.compile(r"^test (\S+)(?: - should panic)? \.\.\. FAILED$")
FAILING_TEST_TITLE = "Failing test"
NAMED_FAILURES = 5
MAX_TEST_NAME = 200

problems = []


def escape(text, in_property=False):
    text = str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if in_property else text


def problem(title, message):
    problems.append(title)
    print(f"::error title={escape(title, True)}::{escape(message)}", flush=True)


def shown(path):
    """A path relative to the repository, with forward slashes."""
    try:
        return Path(os.path.realpath(path)).relative_to(os.path.realpath(ROOT)).as_posix()
    except ValueError:
        return str(path)


def blob_sha(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def changed_files(files):
    """Official files whose content is not the published one (by git blob SHA), as repo paths."""
    changed = []
    for rel, sha in files.items():
        path = ROOT / rel
        try:
            data = path.read_bytes() if not path.is_symlink() else None
        except OSError:
            data = None
        # A checkout may turn LF into CRLF (a learner's .gitattributes); git's blob is still the LF one.
        if data is None or not matches_published(data, sha):
            changed.append(rel)
    return changed


def check_repository_files():
    # Cargo reads configuration, and rustup a toolchain file, from the directory cargo runs in (the repository's
    # root) and its parents; files in sub-folders (say a wasm/ crate's own .cargo/config.toml) are never read here.
    for name in CARGO_CONFIGS:
        config = ROOT / ".cargo" / name
        if os.path.lexists(config):
            problem(
                "Cargo configuration in the repository",
                f"{shown(config)}: remove it. A cargo configuration file at the root can set a runner, rustflags or "
                "another source for crates, which changes how the tests are built and run, so the course does not "
                "accept one there.",
            )
    for name in TOOLCHAIN_FILES:
        if os.path.lexists(ROOT / name):
            problem(
                "Toolchain file in the repository",
                f"{shown(ROOT / name)}: remove it. It can make cargo run another toolchain (even one from "
                "the repository), so the course does not accept one at the root; CI uses stable Rust.",
            )


def cargo_metadata():
    run = subprocess.run(
        ["cargo", "metadata", "--format-version", "1"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        encoding="utf-8",
        errors="replace",
    )
    if run.returncode != 0:
        sys.stderr.write(run.stderr)
        problem("cargo metadata failed", f"cargo could not read the workspace (exit {run.returncode}); see its output above.")
        return None
    return json.loads(run.stdout)


def load_manifest(path):
    try:
        import tomllib  # Python 3.11+
    except ImportError:
        return None
    try:
        with open(path, "rb") as file:
            return tomllib.load(file)
    except (OSError, ValueError):
        return None


def dependency_key(dep):
    return (dep["name"], dep.get("rename"), dep.get("kind"), dep.get("target"))


def describe_dependency(key):
    name, rename, kind, target = key
    text = f"{rename} (package {name})" if rename else name
    if kind:
        text += f" [{kind}-dependencies]"
    if target:
        text += f" for {target}"
    return text


def check_package(exercise_id, exercise, metadata):
    """`exercise_id`'s crate: its own, or for a later milestone of a project the project's (`package`)."""
    package_name = exercise.get("package", exercise_id)
    root = os.path.realpath(ROOT)
    if os.path.realpath(metadata["workspace_root"]) != root:
        problem("Not the course workspace", f"cargo's workspace root is {metadata['workspace_root']}, not the repository root.")
        return
    manifest = os.path.join(root, "exercises", package_name, "Cargo.toml")
    members = set(metadata["workspace_members"])
    package = next(
        (
            p
            for p in metadata["packages"]
            if p["id"] in members and p["name"] == package_name and os.path.realpath(p["manifest_path"]) == manifest
        ),
        None,
    )
    if package is None:
        problem(
            "Exercise package missing",
            f"exercises/{package_name}/Cargo.toml must define the package {package_name} as a member of the course workspace.",
        )
        return
    crate = f"exercises/{package_name}/Cargo.toml"

    # The official test targets, each built from its official file and without extra conditions.
    targets = {t["name"]: t for t in package["targets"] if "test" in t["kind"]}
    for official in exercise["targets"]:
        target = targets.get(official["name"])
        if target is None:
            problem(
                "Official test target missing",
                f"{crate} does not build the test target `{official['name']}` ({official['path']}): remove "
                "`autotests = false` or any [[test]] section that leaves it out.",
            )
        elif os.path.realpath(target["src_path"]) != os.path.join(root, official["path"]):
            problem(
                "Official test target moved",
                f"{crate}: the test target `{official['name']}` is built from {shown(target['src_path'])}, "
                f"not from {official['path']}: remove the [[test]] section that points it elsewhere.",
            )
        elif target.get("required-features"):
            problem(
                "Official test target needs features",
                f"{crate}: the test target `{official['name']}` requires features {target['required-features']}: "
                "remove `required-features` from its [[test]] section.",
            )

    # libtest must run the official targets: `harness = false` would make them plain programs.
    manifest_data = load_manifest(manifest)
    if manifest_data is not None:
        official_names = {t["name"] for t in exercise["targets"]}
        official_paths = {t["path"] for t in exercise["targets"]}
        for entry in manifest_data.get("test", []) if isinstance(manifest_data.get("test"), list) else []:
            entry_path = entry.get("path")
            full = os.path.normpath(os.path.join(os.path.dirname(manifest), entry_path)) if isinstance(entry_path, str) else None
            name = entry.get("name") or (Path(entry_path).stem if isinstance(entry_path, str) else None)
            if entry.get("harness", True) is False and (name in official_names or (full and shown(full) in official_paths)):
                problem(
                    "Official tests without the test harness",
                    f"{crate}: the [[test]] section for `{name}` sets `harness = false`, so the official tests "
                    "would not run under libtest: remove it.",
                )

    # No build script, unless the course's own crate has one.
    for target in package["targets"]:
        if "custom-build" in target["kind"] and shown(target["src_path"]) != exercise.get("buildScript"):
            problem(
                "Build script",
                f"{crate}: remove the build script {shown(target['src_path'])} (and any `build =` key): it runs "
                "arbitrary code while the tests are built.",
            )

    # Every crate the exercise depends on, directly or not, comes from crates.io.
    nodes = {node["id"]: node for node in (metadata.get("resolve") or {}).get("nodes", [])}
    packages = {p["id"]: p for p in metadata["packages"]}
    seen, queue = {package["id"]}, [package["id"]]
    while queue:
        node = nodes.get(queue.pop())
        for dep in node["deps"] if node else []:
            if dep["pkg"] not in seen:
                seen.add(dep["pkg"])
                queue.append(dep["pkg"])
    for pkg_id in sorted(seen - {package["id"]}):
        dep = packages.get(pkg_id)
        if dep is None:
            continue
        source = dep.get("source") or ""
        if not source.startswith(CRATES_IO):
            where = source if source else f"the path {shown(os.path.dirname(dep['manifest_path']))}"
            problem(
                "Dependency not from crates.io",
                f"{package_name} depends on {dep['name']} {dep['version']} from {where}: path and git dependencies, "
                "and [patch] or [replace] sections that point at one, are not allowed; use crates.io.",
            )

    # The direct dependencies are the published ones, unless the exercise allows more.
    if not exercise.get("extraDependencies", False):
        actual = {dependency_key(d) for d in package["dependencies"]}
        published = {dependency_key(d) for d in exercise["dependencies"]}
        for key in sorted(actual - published, key=str):
            problem(
                "Dependency not allowed",
                f"{crate} adds the dependency {describe_dependency(key)}: this exercise allows only the published "
                f"dependencies ({', '.join(sorted(describe_dependency(k) for k in published)) or 'none'}).",
            )
        for key in sorted(published - actual, key=str):
            problem(
                "Published dependency missing",
                f"{crate} no longer declares {describe_dependency(key)} as published: restore it.",
            )


def run_tests(package_name, targets):
    """
    Runs each official target in turn (so a failing test is named with its target), streaming cargo's output.
    Returns the first non-zero exit status (0 if none), libtest's result lines and the failing tests' names.
    """
    status, results, failing = 0, [], []
    for target in targets:
        command = ["cargo", "test", "-p", package_name, "--no-fail-fast", "--test", target["name"]]
        print(f"$ {' '.join(command)}", flush=True)
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

        def pump(stream, out, parse, target_name=target["name"]):
            for raw in iter(stream.readline, b""):
                out.buffer.write(raw)
                out.flush()
                if parse:
                    line = ANSI.sub("", raw.decode("utf-8", "replace")).strip()
                    match = RESULT.match(line)
                    if match:
                        results.append(match)
                    failed = FAILED_TEST.match(line)
                    if failed:
                        failing.append(f"{target_name}::{failed.group(1)}")

        # Only the test binaries' stdout is parsed: compiler messages on stderr can quote any text.
        threads = [
            threading.Thread(target=pump, args=(process.stdout, sys.stdout, True)),
            threading.Thread(target=pump, args=(process.stderr, sys.stderr, False)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        code = process.wait()
        status = status or code
    return status, results, failing


def name_failing_tests(failing):
    """
    One annotation per failing test, so the learner (and the bot, which reads a failed run's annotations) sees
    what is red without opening the log. GitHub keeps 10 error annotations per step and the summary takes up to
    four, so at most NAMED_FAILURES are named and one more annotation counts the rest.
    """
    for name in failing[:NAMED_FAILURES]:
        problem(FAILING_TEST_TITLE, name[:MAX_TEST_NAME])
    if len(failing) > NAMED_FAILURES:
        problem("More failing tests", f"and {len(failing) - NAMED_FAILURES} more; the log above lists every one.")


def matches_published(data, sha):
    """A file's bytes are the published ones (by git blob SHA), also after a checkout turned LF into CRLF."""
    return sha in (blob_sha(data), blob_sha(data.replace(b"\r\n", b"\n")))


def starter_files(package_name):
    """The crate's own files (repo paths), leaving out tests/ (guarded), target/ and the READMEs."""
    folder = ROOT / "exercises" / package_name
    found = {}
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        rel = path.relative_to(folder).parts
        if not path.is_file() or rel[0] in ("tests", "target") or path.suffix.lower() == ".md":
            continue
        found[path.relative_to(ROOT).as_posix()] = path.read_bytes()
    return found


def touched(exercise_id, exercise):
    """Whether the learner changed the exercise's crate: a file added, removed or different from the published starter."""
    published = exercise.get("starter")
    if published is None:
        return True  # data from before --plan existed: run it
    files = starter_files(exercise.get("package", exercise_id))
    if set(files) != set(published):
        return True
    # Each file lists the current starter's version first, then earlier ones: a learner who kept an older
    # starter's stub has not started either.
    versions = {rel: [shas] if isinstance(shas, str) else shas for rel, shas in published.items()}
    return any(not any(matches_published(data, sha) for sha in versions[rel]) for rel, data in files.items())


def plan(data):
    if os.environ.get("GITHUB_EVENT_NAME") == "workflow_dispatch":
        chosen = list(data["exercises"])  # run by hand: check everything
    else:
        chosen = [exercise_id for exercise_id, exercise in data["exercises"].items() if touched(exercise_id, exercise)]
    line = f"touched={json.dumps(chosen)}"
    print(line, flush=True)
    output = os.environ.get("GITHUB_OUTPUT")
    if output:
        with open(output, "a", encoding="utf-8") as file:
            file.write(line + "\n")
    return 0


def main(argv):
    if len(argv) != 2:
        print("usage: python3 -I .github/course/check.py <exercise id> | --plan", file=sys.stderr)
        return 2
    data = json.loads((HERE / "exercises.json").read_text(encoding="utf-8"))
    if argv[1] == "--plan":
        return plan(data)
    exercise_id = argv[1]
    exercise = data["exercises"].get(exercise_id)
    if exercise is None:
        problem("Unknown exercise", f"{exercise_id} is not an exercise of this course.")
        return 1
    official_files = {**data.get("files", {}), **exercise["files"]}

    for rel in changed_files(official_files):
        problem("Official file changed", f"{rel} differs from the course's version: restore it.")
    check_repository_files()
    metadata = cargo_metadata()
    if metadata is not None:
        check_package(exercise_id, exercise, metadata)
    if problems:
        print(f"::error title={escape(exercise_id, True)} not checked::Fix the problems above; the tests were not run.")
        return 1

    status, results, failing = run_tests(exercise.get("package", exercise_id), exercise["targets"])
    name_failing_tests(failing)
    for rel in changed_files(official_files):
        problem("Official file changed during the tests", f"{rel} was changed while the tests were built or ran.")
    expected, targets = exercise["tests"], len(exercise["targets"])
    passed = sum(int(m.group(2)) for m in results)
    failed = sum(int(m.group(3)) for m in results)
    if status != 0:
        problem("Tests failed", f"cargo test exited with status {status}.")
    if len(results) != targets:
        problem(
            "Official tests did not all report",
            f"libtest printed {len(results)} test summaries for the {targets} official test targets: a test binary "
            "that did not build, or exited before libtest printed its summary, proves nothing.",
        )
    if failed:
        problem("Official tests failed", f"{failed} official test(s) failed.")
    if passed != expected:
        problem("Official test count", f"{passed} official tests passed; {exercise_id} has {expected}, and all must pass.")
    if problems:
        return 1
    plural = "" if targets == 1 else "s"
    print(f"{exercise_id}: all {expected} official tests passed in {targets} test target{plural}.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
