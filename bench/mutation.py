"""`make mutate`: mutation testing of the code where a slip costs most, not part of `make test`.

mutmut (pinned in the Makefile, configured in [tool.mutmut]) copies bot/, handlers/ and storage/
to mutants/, writes every mutant of the files it is told to mutate, and runs each one against
only the tests that called the mutated function. This runs the mutants in SCOPE afresh, prints
the kill ratio, and prints every mutant no test killed with its diff, also written to
bench/mutants.txt. Arguments replace SCOPE (mutmut name patterns, e.g. "bot.budget.*").
"""

from __future__ import annotations

import argparse
import fnmatch
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bench.common import Row, write_results

ROOT = Path(__file__).resolve().parent.parent
REPORT = Path(__file__).with_name("mutants.txt")
MUTMUT = str(Path(sys.executable).with_name("mutmut"))

# Mutant names are module.function__mutmut_N (methods: module.xǁClassǁmethod__mutmut_N).
SCOPE = (
    "bot.delivery.*",
    "bot.budget.*",
    "bot.ratelimit.*",
    # who may reach which city: Reach, and the context's and Broadcasts' doors to it
    "domain.organizers.*",
    "bot.context.xǁMusterContextǁreach*",
    "bot.context.xǁMusterContextǁis_admin*",
    "domain.broadcasts.xǁBroadcastsǁmay_manage*",
    # erasure
    "domain.supporters.xǁSupportersǁerase*",
    "storage.supporters.x_erase*",
    "handlers.account.x_ask_to_erase*",
    "handlers.account.x_answer_erase*",
)
# Counted in the summary even when none; any other status is counted when it occurs.
REPORTED = ("survived", "timeout", "suspicious", "no tests")
# Statuses whose mutants no test killed, listed with their diffs; "not checked" (an interrupted
# run, see --resume) by name only.
UNKILLED = ("survived", "no tests", "suspicious", "timeout", "segfault", "not checked")


def mutmut(*args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own venv's mutmut, arguments from this file
        [MUTMUT, *args], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return done.stdout


def statuses(scope: tuple[str, ...]) -> dict[str, str]:
    """Every mutant in scope and its status, as `mutmut results` names it."""
    found = {}
    for line in mutmut("results", "--all", "true").splitlines():
        name, _, status = line.strip().rpartition(": ")
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in scope):
            found[name] = status
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("patterns", nargs="*", help="mutmut name patterns instead of SCOPE")
    # The tests mostly wait on Telegram's pace: ten at once on 2 cores passed, 30% slower.
    parser.add_argument("--max-children", type=int, default=8)
    parser.add_argument(
        "--resume",
        action="store_true",
        help="keep mutants/ and run only the mutants an interrupted run left unchecked",
    )
    parser.add_argument("--report", action="store_true", help="only report the last run")
    args = parser.parse_args(argv)
    scope = tuple(args.patterns) or SCOPE
    started = time.monotonic()
    if args.report:
        targets: tuple[str, ...] = ()
    elif args.resume:
        # mutmut reruns every mutant it is named, so name only the unchecked ones.
        targets = tuple(name for name, status in statuses(scope).items() if status == "not checked")
    else:
        # Afresh each time: cached stats would map tests to functions as the code used to be.
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
        targets = scope
    run = (
        subprocess.run(  # noqa: S603 - as above
            [MUTMUT, "run", "--max-children", str(args.max_children), *targets],
            cwd=ROOT,
            check=False,
        )
        if targets
        else None
    )
    minutes = (time.monotonic() - started) / 60
    if run is not None and run.returncode != 0:
        print(f"mutmut run failed ({run.returncode}); see its output above", file=sys.stderr)
        return run.returncode

    found = statuses(scope)
    counts = Counter(found.values())
    total = len(found)
    unchecked = counts["not checked"]
    others = [status for status in counts if status not in ("killed", *REPORTED)]
    checked = total - unchecked
    summary = [
        f"{counts['killed']} killed of {checked} mutants "
        f"({100 * counts['killed'] / max(checked, 1):.1f}%)"
        + (f"; {unchecked} more not checked (interrupted: --resume)" if unchecked else "")
        + (f"; mutmut ran {minutes:.0f} min" if run is not None else ""),
        "  " + ", ".join(f"{status} {counts[status]}" for status in (*REPORTED, *others)),
    ]
    lines = [*summary, ""]
    for status in UNKILLED:
        names = sorted(name for name, found_status in found.items() if found_status == status)
        if not names:
            continue
        lines.append(f"== {status}: {len(names)}")
        if status == "not checked":
            lines.extend([*names, ""])
            continue
        for name in names:
            lines.append(mutmut("show", name).rstrip())
            lines.append("")
    text = "\n".join(lines) + "\n"
    REPORT.write_text(text)
    record(counts, checked, unchecked, minutes if run is not None else None, scope)
    print()
    print(text, end="")
    print(f"(written to {REPORT.relative_to(ROOT)}; `.venv/bin/mutmut browse` to retest)")
    return 0


def record(
    counts: Counter[str],
    checked: int,
    unchecked: int,
    minutes: float | None,
    scope: tuple[str, ...],
) -> None:
    """The kill ratio in bench/RESULTS.md, beside the benchmarks' figures."""
    killed = counts["killed"]
    rows = [
        Row(
            "mutants in scope",
            "checked",
            f"{checked:,}" + (f" ({unchecked:,} not)" if unchecked else ""),
        ),
        Row(
            "mutants in scope",
            "killed",
            f"{killed:,} ({100 * killed / max(checked, 1):.1f}%)",
        ),
        *(Row("mutants in scope", status, f"{counts[status]:,}") for status in REPORTED),
    ]
    notes = [
        "Scope (mutmut name patterns): " + ", ".join(f"`{pattern}`" for pattern in scope) + ".",
        "Every mutant no test killed is listed with its diff in bench/mutants.txt; the closing "
        "note of the session that ran it says which are equivalent.",
    ]
    if minutes is not None:
        notes.append(f"mutmut ran {minutes:.0f} min on this machine.")
    write_results("make mutate", "make mutate", rows, notes)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
