"""Summarise a py-spy collapsed-stack profile: `python -m bench.fanout.profile FILE [top]`.

Prints the functions holding the most samples, by their own time (on top of the
stack) and in total (anywhere on it), as shares of all samples.
"""

from __future__ import annotations

import sys
from collections import Counter


def summarise(path: str, top: int = 25) -> str:
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    with open(path) as lines:
        for line in lines:
            stack, _, count_text = line.rstrip("\n").rpartition(" ")
            if not stack:
                continue
            count = int(count_text)
            samples += count
            frames = [
                frame.split(" (")[0] + " " + frame.rsplit("/", 1)[-1].split(":")[0]
                for frame in stack.split(";")
            ]
            own[frames[-1]] += count
            for frame in set(frames):
                total[frame] += count
    out = [f"{samples} samples"]
    for title, counter in (("own", own), ("total", total)):
        out.append(f"-- {title}")
        out += [f"{100 * n / samples:5.1f}%  {frame}" for frame, n in counter.most_common(top)]
    return "\n".join(out)


if __name__ == "__main__":
    print(summarise(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 25))
