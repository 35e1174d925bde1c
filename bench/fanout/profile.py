"""Summarise a py-spy collapsed-stack profile: `python -m bench.fanout.profile FILE [top] [THREAD]`.

Prints the functions holding the most samples, by their own time (on top of the
stack) and in total (anywhere on it), as shares of all samples. A profile of
several processes (`--subprocesses`, as the bench records uvicorn's workers) is
summarised per process, with its threads and their samples; THREAD (a part of a
thread's name, e.g. `MainThread` for the event loop) keeps that thread's samples
alone. In a profile with waiting threads (`--profile-idle`), a thread waiting for
work shows as its wait (the event loop as `Runner.run`, a pool's thread as `_worker`).
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict

# py-spy's --subprocesses and --threads put the process and the thread first on a stack;
# a process's command line may hold semicolons.
_PROCESSES = re.compile(r'^((?:process \d+:"[^"]*";)*)(.*)$')


def _frame(frame: str) -> str:
    return frame.split(" (")[0] + " " + frame.rsplit("/", 1)[-1].split(":")[0].rstrip(")")


def summarise(path: str, top: int = 25, thread: str = "") -> str:
    own: defaultdict[str, Counter[str]] = defaultdict(Counter)
    total: defaultdict[str, Counter[str]] = defaultdict(Counter)
    threads: defaultdict[str, Counter[str]] = defaultdict(Counter)
    samples: Counter[str] = Counter()
    with open(path) as lines:
        for line in lines:
            stack, _, count_text = line.rstrip("\n").rpartition(" ")
            if not stack:
                continue
            count = int(count_text)
            found = _PROCESSES.match(stack)
            assert found is not None  # noqa: S101 (the pattern matches any text)
            process = " ".join(re.findall(r"process \d+", found.group(1))[-1:]) or "process"
            frames = found.group(2).split(";")
            name = ""
            if frames and frames[0].startswith("thread ("):
                # "thread (id): name": pools number their threads, so they are counted as one.
                name = re.sub(r"_\d+$", "", frames.pop(0).split(": ", 1)[-1])
            if thread and thread not in name:
                continue
            threads[process][name] += count
            samples[process] += count
            if not frames:
                continue
            shown = [_frame(frame) for frame in frames]
            own[process][shown[-1]] += count
            for frame in set(shown):
                total[process][frame] += count
    out: list[str] = []
    for process, count in samples.most_common():
        named = ", ".join(f"{name or '?'} {n}" for name, n in threads[process].most_common(10))
        out.append(f"== {process}: {count} samples ({named})")
        for title, counter in (("own", own[process]), ("total", total[process])):
            out.append(f"-- {title}")
            out += [f"{100 * n / count:5.1f}%  {frame}" for frame, n in counter.most_common(top)]
    return "\n".join(out)


if __name__ == "__main__":
    print(
        summarise(
            sys.argv[1],
            int(sys.argv[2]) if len(sys.argv) > 2 else 25,
            sys.argv[3] if len(sys.argv) > 3 else "",
        )
    )
