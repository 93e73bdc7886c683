#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The lint check: every source names its licence (SPDX), every C++ source is formatted as .clang-format
says, and clang-tidy (.clang-tidy: bugprone, performance, clang-analyzer) finds nothing in any translation
unit of the product (core, app, ui; not the LibTorch units, see TIDY_SKIP).

Usage: lint.py SOURCE_DIR BUILD_DIR   (BUILD_DIR holds compile_commands.json)

clang-tidy takes seconds per translation unit, so a clean result is remembered under
$XDG_CACHE_HOME/checkpoint-studio-lint, keyed by the preprocessed translation unit, the compile flags,
.clang-tidy and the clang-tidy version: any change to the file or to a header it includes checks it again.
Exit status 0 when clean, 1 with the findings printed otherwise."""

import concurrent.futures
import hashlib
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

TIDY_DIRS = ("core", "app", "ui")
# clang 14 cannot parse LibTorch 1.13's headers with libstdc++ 12 (vector<IValue> of an incomplete IValue),
# so the two translation units that include them are left to g++'s warnings.
TIDY_SKIP = ("core/tensor/",)
FORMAT_DIRS = ("core", "app", "ui", "tests", "bench")


def sources(root, dirs, suffixes):
    for d in dirs:
        for p in sorted((root / d).rglob("*")):
            if p.suffix in suffixes and p.is_file():
                yield p


def check_format(root):
    files = [str(p) for p in sources(root, FORMAT_DIRS, {".cpp", ".h"})]
    r = subprocess.run(["clang-format", "--dry-run", "--Werror", "--style=file"] + files, cwd=root, capture_output=True, text=True)
    return len(files), r.stderr if r.returncode else ""


def check_spdx(root):
    """Every source and script names its licence in its first lines."""
    missing = []
    for p in sources(root, ("core", "app", "ui", "tests", "bench", "tools", "packaging", "resources"), {".cpp", ".h", ".py", ".sh", ".txt"}):
        if p.suffix == ".txt" and p.name != "CMakeLists.txt":
            continue
        if "tests/data" in str(p.relative_to(root)):
            continue
        head = p.read_text(encoding="utf-8", errors="replace").split("\n", 3)[:3]
        if not any("SPDX-License-Identifier:" in line for line in head):
            missing.append(str(p.relative_to(root)))
    return missing


def preprocess_key(entry, config, version):
    args = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
    if os.path.basename(args[0]) == "ccache":
        args = args[1:]
    pre, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a == "-o":
            skip = True
            continue
        if a == "-c":
            continue
        pre.append(a)
    out = subprocess.run(pre + ["-E", "-P", "-o", "-"], cwd=entry["directory"], capture_output=True)
    h = hashlib.sha256()
    for part in (config, version, " ".join(args).encode(), out.stdout if out.returncode == 0 else os.urandom(16)):
        h.update(part)
        h.update(b"\0")
    return h.hexdigest()


def tidy(entry, build, cache, config, version):
    key = preprocess_key(entry, config, version)
    stamp = cache / key
    if stamp.exists():
        return entry["file"], True, ""
    r = subprocess.run(["clang-tidy", "-p", str(build), "--quiet", entry["file"]], capture_output=True, text=True)
    findings = "\n".join(l for l in r.stdout.splitlines() if l.strip())
    if r.returncode == 0 and ": warning:" not in r.stdout and ": error:" not in r.stdout:
        stamp.touch()
        return entry["file"], False, ""
    return entry["file"], False, findings or r.stderr


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    root, build = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    failed = False

    count, problems = check_format(root)
    if problems:
        failed = True
        print(problems)
        print(f"lint: clang-format would change the files above; run: clang-format -i <file>")
    print(f"lint: {count} files checked against .clang-format")
    missing = check_spdx(root)
    if missing:
        failed = True
        print("lint: no SPDX-License-Identifier in the first lines of: " + ", ".join(missing))

    entries = json.loads((build / "compile_commands.json").read_text())
    dirs = tuple(str(root / d) + "/" for d in TIDY_DIRS)
    skip = tuple(str(root / d) for d in TIDY_SKIP)
    entries = [e for e in entries if e["file"].startswith(dirs) and not e["file"].startswith(skip)]
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "checkpoint-studio-lint"
    cache.mkdir(parents=True, exist_ok=True)
    config = (root / ".clang-tidy").read_bytes()
    version = subprocess.run(["clang-tidy", "--version"], capture_output=True).stdout
    cached = 0
    bad = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for file, hit, findings in pool.map(lambda e: tidy(e, build, cache, config, version), entries):
            cached += hit
            if findings:
                bad.append(file)
                print(findings, flush=True)
    print(f"lint: {len(entries)} translation units checked by clang-tidy ({cached} unchanged since a clean check), {len(bad)} with findings")
    if bad:
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
