"""Run one benchmark phase as a child process and measure its wall time, CPU time and
peak memory. Used as a wrapper, one wrapper process per phase:

    python bench/measure.py --out phase.json --log phase.log -- <command ...>

Why a wrapper per phase: `getrusage(RUSAGE_CHILDREN).ru_maxrss` is the largest resident
set of any one process among the waited-for descendants, and it only ever grows over a
process's life. Read in the benchmark's own process it would mix phases; read in a
fresh wrapper that starts nothing else, it belongs to exactly one phase's process tree.

Why also polling: ru_maxrss is per process, so `threec run` (a Python process waiting
while its `dbt` child works) would be reported as the larger of the two, not their sum.
The wrapper therefore also samples the summed RSS of the whole tree (psutil, every
0.2 s; the descendant list is refreshed every second because listing them walks all of
/proc). Sampling can miss a spike shorter than the interval, which getrusage cannot.
The phase's peak is the larger of the two: a lower bound on the true peak that is
never below either honest measure.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

SAMPLE_S = 0.2
REFRESH_S = 1.0


class TreeSampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peak = 0
        self.samples = 0
        self.stop = threading.Event()

    def run(self) -> None:
        procs: list[psutil.Process] = [self.root]
        refreshed = 0.0
        while not self.stop.is_set():
            now = time.monotonic()
            if now - refreshed >= REFRESH_S:
                try:
                    procs = [self.root, *self.root.children(recursive=True)]
                except psutil.Error:
                    procs = [self.root]
                refreshed = now
            total = 0
            for p in procs:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self.samples += 1
            self.stop.wait(SAMPLE_S)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="JSON file for the measurements")
    parser.add_argument("--log", type=Path, required=True, help="the child's output, each line with elapsed seconds")
    parser.add_argument("--echo", action="store_true", help="also print the child's output")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command to measure")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    started = time.monotonic()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            errors="replace", env=env)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    assert proc.stdout is not None
    args.log.parent.mkdir(parents=True, exist_ok=True)
    with args.log.open("w", encoding="utf-8") as log:
        for line in proc.stdout:
            stamped = f"[{time.monotonic() - started:9.3f}] {line.rstrip()}"
            log.write(stamped + "\n")
            if args.echo:
                print(stamped, flush=True)
    code = proc.wait()
    wall = time.monotonic() - started
    sampler.stop.set()
    sampler.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    largest_process = usage.ru_maxrss * 1024  # Linux reports KiB
    result = {
        "command": command,
        "exit_code": code,
        "wall_s": round(wall, 3),
        "user_s": round(usage.ru_utime, 3),
        "sys_s": round(usage.ru_stime, 3),
        "largest_process_rss_bytes": largest_process,
        "tree_rss_sampled_bytes": sampler.peak,
        "peak_rss_bytes": max(largest_process, sampler.peak),
        "rss_samples": sampler.samples,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    return code


if __name__ == "__main__":
    sys.exit(main())
