"""Room fan-out benchmark: three servers, one load, one table. `make bench` runs it.

    python -m bench.fanout.run [--n 1000] [--rate 20] [--seconds 10] [--redis]
                               [--servers raw,bare,app] [--processes 2] [--votes 5]
                               [--vote-rule dots|approval|ranking] [--over-budget]
                               [--postgres]

Servers, each measured in turn under the same load:
  raw   a plain websockets broadcast server: the ceiling;
  bare  a stock Channels group consumer on Daphne: the floor;
  app   the product (config.asgi on Daphne) with N seeded participants in one room,
        ideas posted over the probes' own sockets; it also measures joins through
        the real join page, and a vote: N participants in a second room each cast
        --votes dots, one per vote, within --vote-seconds, with live tallies. It reports
        how many votes were answered and how fast, when every screen showed the
        final tally, and whether the database holds every dot exactly once. With
        --over-budget each voter has a fifth fewer dots than they cast, so a fifth of
        the votes are refused, and it reports when the refusals were answered.
        --vote-rule approval has each vote approve one more idea; --vote-rule ranking
        has each send a ranking one place longer than their last, in a ranking of
        --votes places (a fifth fewer with --over-budget: the longest are refused).
        Each vote line is followed by the same load's figures from before the vote path
        was rebuilt (docs/deploy.md).
The server runs on core 0 and the load generator on core 1 (taskset), so neither
steals the other's time. Everything listens on 127.0.0.1 only, and every loop is
bounded in count and time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import redis

from bench.ports import free_port, wait_for_port
from bench.postgres import Postgres, missing_requirement, postgres_bin

ROOT = Path(__file__).resolve().parents[2]
SERVER_CORE = "0"
LOAD_CORE = "1"

# What docs/deploy.md recorded before the join and server work of 2026-11-29 (one full
# run on this machine, SQLite, one process), printed beside each new run. The joins
# then came 25 at a time, each after the one before it had its room; now they are
# offered evenly over 10 s, so a slow server shows as queueing and errors, not as a
# longer run.
BASELINE: dict[str, dict[str, float]] = {
    "raw": {"p99_ms": 67, "deliveries_per_s": 61_701},
    "app": {"p99_ms": 552, "vs_raw": 0.42, "joins_per_s": 14, "join_p99_ms": 2_412},
    "uvicorn": {"p99_ms": 51, "vs_raw": 0.56, "joins_per_s": 18, "join_p99_ms": 2_395},
}


def pinned(core: str, command: list[str]) -> list[str]:
    return ["taskset", "-c", core, *command] if shutil.which("taskset") else command


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in ("Django", "channels", "channels-redis", "daphne", "Twisted", "websockets"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[name] = metadata.version(name)
    with contextlib.suppress(metadata.PackageNotFoundError):
        found["uvicorn"] = metadata.version("uvicorn")
    redis = shutil.which("redis-server")
    if redis:
        out = subprocess.run([redis, "--version"], capture_output=True, text=True, check=False)
        found["redis-server"] = out.stdout.split("v=")[1].split()[0] if "v=" in out.stdout else "?"
    return found


def machine() -> str:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()[0]
    busy = "  (busy: other processes share these cores)" if load > 0.5 else ""
    return (
        f"{os.cpu_count()} cores, {model or platform.processor()}, {platform.platform()}, "
        f"load average {load:.2f}{busy}"
    )


@contextlib.contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            *("--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
            *("--dir", str(workdir)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, timeout=30, processes=[process])
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def workers_pinned(supervisor: int) -> None:
    """Hold each of uvicorn's workers to a core of its own, as Daphne's processes are.

    Left to float, each worker's threads (the event loop, the pages', the database
    pool's) ran on both cores and handed the interpreter's lock to each other across
    them: on 2026-11-30 two workers left to float cost 22-24 ms of a core a join,
    held to a core each 14-17 ms, as one process (docs/deploy.md, *What a second
    process costs a join*). Every thread of each worker is held now; the threads it
    starts later inherit it.
    """
    with contextlib.suppress(OSError):
        children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
        workers = [int(child) for child in children if _is_worker(int(child))]
        for index, worker in enumerate(sorted(workers)):
            core = index % (os.cpu_count() or 1)
            for thread in os.listdir(f"/proc/{worker}/task"):
                with contextlib.suppress(OSError):
                    os.sched_setaffinity(int(thread), {core})


def _is_worker(pid: int) -> bool:
    """Whether this child of uvicorn serves (multiprocessing's resource tracker does not)."""
    try:
        return b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


@contextlib.contextmanager
def servers(
    kind: str, env: dict[str, str], processes: int, workdir: Path
) -> Iterator[tuple[int, list[subprocess.Popen[bytes]]]]:
    """Start the server(s) on the server core; yields the port and the processes."""
    port = free_port()
    log = open(workdir / f"{kind}.log", "ab")  # noqa: SIM115 - closed below
    started: list[subprocess.Popen[bytes]] = []
    listener: socket.socket | None = None
    try:
        if kind == "raw":
            command = [sys.executable, "-m", "bench.fanout.raw_server", "--port", str(port)]
            started.append(
                subprocess.Popen(
                    pinned(SERVER_CORE, command),
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        else:
            app = (
                "bench.fanout.bare.asgi:application"
                if kind == "bare"
                else "config.asgi:application"
            )
            if kind == "uvicorn":
                command = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1"]
                command += ["--port", str(port), "--ws", "websockets", "--lifespan", "off"]
                # As docs/deploy.md says to run it: browsers ask for compression, and
                # compressing every frame once per socket would cost the room's fan-out.
                command += ["--ws-per-message-deflate", "false"]
                command += ["--no-access-log", "--workers", str(processes), app]
                started.append(
                    subprocess.Popen(
                        pinned(SERVER_CORE, command) if processes == 1 else command,
                        cwd=ROOT,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
            elif processes == 1:
                command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), app]
                started.append(
                    subprocess.Popen(
                        pinned(SERVER_CORE, command),
                        cwd=ROOT,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
            else:
                # Several processes behind one address: they accept on one shared socket,
                # and the kernel hands each new connection to one of them.
                listener = socket.socket()
                listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                listener.bind(("127.0.0.1", port))
                listener.listen(2048)
                fd = listener.fileno()
                for index in range(processes):
                    command = [sys.executable, "-m", "daphne", "--fd", str(fd), app]
                    core = str(index % (os.cpu_count() or 1))
                    started.append(
                        subprocess.Popen(
                            pinned(core, command),
                            cwd=ROOT,
                            env=env,
                            stdout=log,
                            stderr=subprocess.STDOUT,
                            pass_fds=(fd,),
                        )
                    )
        wait_for_port(port, timeout=30, processes=started)
        time.sleep(0.5)
        if kind == "uvicorn" and processes > 1:
            workers_pinned(started[0].pid)
        yield port, started
    finally:
        for process in started:
            process.send_signal(signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if listener is not None:
            listener.close()
        log.close()


@contextlib.contextmanager
def profiled(
    folder: str, kind: str, started: list[subprocess.Popen[bytes]], *, idle: bool = False
) -> Iterator[None]:
    """With --profile, sample the server with py-spy for the whole load (collapsed stacks).

    Each sampled process's children too: uvicorn's `--workers` serve from child
    processes, and its own process only supervises them. Each stack then starts with
    its process, and each thread's with the thread's id. With `idle` (--profile-idle)
    waiting threads are sampled too, so the profile shows where the wall clock goes
    and not only the CPU.
    """
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not folder or not Path(spy).exists():
        yield
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    samplers = [
        subprocess.Popen(
            [
                spy,
                "record",
                "--pid",
                str(process.pid),
                "--subprocesses",
                "--threads",
                *(["--idle"] if idle else []),
                "--rate",
                "200",
                "--format",
                "raw",
                "--nonblocking",
                "-o",
                str(Path(folder) / f"{kind}-{index}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for index, process in enumerate(started)
    ]
    try:
        yield
    finally:
        for sampler in samplers:
            sampler.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                sampler.wait(timeout=30)


@contextlib.contextmanager
def postgres_cluster() -> Iterator[Postgres]:
    """A PostgreSQL of the benchmark's own, syncing its writes to disk as a deployment does."""
    bin_dir = postgres_bin()
    missing = missing_requirement()
    if missing or bin_dir is None:
        raise SystemExit(f"--postgres needs {missing or 'PostgreSQL'}")
    cluster = Postgres(bin_dir, durable=True)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


def json_of(command: list[str], env: dict[str, str], *, timeout: float, what: str) -> Any:
    """Run a step of the bench and read the JSON line it prints last."""
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def app_env(workdir: Path, redis_url: str, database_url: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
            "DEBUG": "0",
            "SECURE_COOKIES": "0",
            "SECRET_KEY": "bench-" + uuid.uuid4().hex,
            "ALLOWED_HOSTS": "127.0.0.1",
            # Everyone comes from 127.0.0.1 and posts fast: no limit may stand in the way.
            "SAMSKAB_RATE_POST": "100000/m",
            "SAMSKAB_RATE_POST_PER_ADDRESS": "1000000/m",
            "SAMSKAB_RATE_VOTE": "100000/m",
            "SAMSKAB_RATE_VOTE_PER_ADDRESS": "1000000/m",
            "SAMSKAB_RATE_JOIN_PER_ADDRESS": "1000000/m",
        }
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def measure(
    kind: str,
    args: argparse.Namespace,
    workdir: Path,
    redis_url: str,
    cluster: Postgres | None = None,
) -> dict[str, Any]:
    # "uvicorn" is the application too, served by uvicorn (websockets) instead of Daphne.
    application = kind in {"app", "uvicorn"}
    database_url = ""
    if cluster is not None and application:
        database_url = cluster.create_database(f"bench_{kind}_{uuid.uuid4().hex[:8]}")
    env = app_env(workdir, redis_url, database_url)
    if kind == "bare":
        env = {k: v for k, v in env.items() if k != "DJANGO_SETTINGS_MODULE"}
    facts_file = ""
    processes = args.processes if application else 1
    if application:
        (workdir / "bench.sqlite3").unlink(missing_ok=True)
        seeded = json_of(
            [
                *(sys.executable, "-m", "bench.fanout.seed"),
                *("--participants", str(args.n), "--votes", str(args.votes)),
                *("--vote-budget", str(vote_budget(args))),
                *("--vote-rule", args.vote_rule),
                *("--join-ideas", str(args.join_ideas)),
            ],
            env,
            timeout=600,
            what="seeding",
        )
        facts_file = str(workdir / "facts.json")
        Path(facts_file).write_text(json.dumps(seeded))
    with servers(kind, env, processes, workdir) as (port, started):
        command = [
            sys.executable,
            "-m",
            "bench.fanout.load",
            "--mode",
            "app" if application else kind,
            "--port",
            str(port),
            "--pids",
            ",".join(str(p.pid) for p in started),
            "--n",
            str(args.n),
            "--probes",
            str(args.probes),
            "--rate",
            str(args.rate),
            "--events",
            str(int(args.rate * args.seconds)),
            "--sat-rate",
            str(args.sat_rate),
            "--sat-events",
            str(args.sat_events),
            "--facts",
            facts_file,
            "--joins",
            str(args.joins if application else 0),
            "--votes-per-participant",
            str(args.votes if application else 0),
            "--vote-seconds",
            str(args.vote_seconds),
            "--join-seconds",
            str(args.join_seconds),
            "--join-by",
            args.join_by,
            "--parts",
            args.parts,
            "--vote-budget",
            str(vote_budget(args)),
            "--vote-rule",
            args.vote_rule,
        ]
        sides = service_pids(redis_url, cluster)
        if sides:
            command += ["--sides", ",".join(f"{name}={pid}" for name, pid in sides.items())]
        whole_run = args.profile
        if args.profile and application and "votes" in args.parts:
            # The vote window alone, sampled by the load generator while the votes run.
            Path(args.profile).mkdir(parents=True, exist_ok=True)
            command += ["--profile-votes", str(Path(args.profile) / f"{kind}-votes.txt")]
            command += ["--profile-idle"] if args.profile_idle else []
            if args.parts == "votes":
                whole_run = ""
        with profiled(whole_run, kind, started, idle=args.profile_idle):
            result: dict[str, Any] = json_of(
                pinned(LOAD_CORE, command), env, timeout=1800, what="load generator"
            )
    if "voting" in result:
        # Read from the database itself, not from what the screens were told.
        result["voting"]["db"] = json_of(
            [sys.executable, "-m", "bench.fanout.seed", "--count-votes", result["voting"]["code"]],
            env,
            timeout=120,
            what="counting votes",
        )
    return result


def service_pids(redis_url: str, cluster: Postgres | None) -> dict[str, int]:
    """The Redis and PostgreSQL servers' process ids, whose CPU the vote run reports."""
    found: dict[str, int] = {}
    if redis_url:
        with contextlib.suppress(Exception):
            client = redis.Redis.from_url(redis_url, socket_timeout=5)
            found["redis"] = int(client.info("server")["process_id"])
            client.close()
    if cluster is not None:
        # The postmaster's id heads its pid file; its backends are its children.
        with contextlib.suppress(OSError, ValueError):
            found["postgres"] = int((cluster.data / "postmaster.pid").read_text().split()[0])
    return found


def vote_budget(args: argparse.Namespace) -> int:
    """Dots each participant may place: all they cast, or a fifth fewer with --over-budget."""
    return args.votes - args.votes // 5 if args.over_budget else args.votes


# The vote's figures before the vote path was rebuilt (docs/deploy.md), printed beside
# each run's: (database, processes, over budget) -> what the same load got then.
VOTE_BASELINES: dict[tuple[str, int, bool], str] = {
    ("SQLite", 1, False): "69-104 votes/s; all 5,000 answered 38-63 s after the first was "
    "sent; final tally on every screen at most 410 ms after the last ack",
    ("SQLite", 1, True): "refusals answered last, 1-5.8 s after the last accepted vote; final "
    "tally on every screen up to 1.6 s after the last accepted vote",
    ("PostgreSQL", 1, False): "37-52 votes/s; final tally on every screen at most 127-363 ms "
    "after the last ack",
    ("PostgreSQL", 1, True): "refusals answered last, 1-5.8 s after the last accepted vote",
    ("PostgreSQL", 2, True): (
        "final tally on every screen up to 3.7 s after the last accepted vote; before a "
        "batch's own ballots went as one message (2026-11-30), 314 votes answered/s, all "
        "answered 15.9 s after the first send, final tally 1,773 ms after the last accepted vote"
    ),
    ("PostgreSQL", 2, False): (
        "before a batch's own ballots went as one message (2026-11-30): 248-464 votes/s "
        "offered 500/s (all answered 10.8-20.1 s after the first send), 350 offered 1,000/s, "
        "398 offered 2,000/s; final tally 0.6-2.6 s after the last ack"
    ),
}


# The voting rules the vote run can cast under (bench.fanout.load.VOTE_RULES).
VOTE_RULES = ("dots", "approval", "ranking")

# Approval and ranking votes before a batch's were read, decided and written together,
# measured back to back with the code after on 2026-11-30 (docs/deploy.md, *Voting*):
# (rule, database, processes, over budget) -> what the same load got then.
RULE_BASELINES: dict[tuple[str, str, int, bool], str] = {
    ("approval", "PostgreSQL", 1, False): "378-458 votes/s; all 5,000 answered 10.9-13.2 s "
    "after the first send; final tally on every screen 285-286 ms after the last ack; round "
    "trip p50 0.7-1.8 s",
    ("ranking", "PostgreSQL", 1, False): "187-216 votes/s; all 5,000 answered 23.2-26.8 s "
    "after the first send; final tally on every screen 200-249 ms after the last ack; round "
    "trip p50 5.2-7.7 s",
    ("ranking", "PostgreSQL", 1, True): "325 votes answered/s; all answered 15.4 s after the "
    "first send; final tally on every screen 557 ms after the last accepted vote",
    ("approval", "SQLite", 1, False): "495 votes/s; all 5,000 answered 10.1 s after the "
    "first send; final tally on every screen 249 ms after the last ack; round trip p50 17 ms",
    ("ranking", "SQLite", 1, False): "486 votes/s; all 5,000 answered 10.3 s after the "
    "first send; final tally on every screen 320 ms after the last ack; round trip p50 89 ms",
}


def voting_lines(kind: str, voting: dict[str, Any], baseline: str = "") -> list[str]:
    """The vote run in words: answered, how fast, counted once, and on every screen when."""
    db = voting.get("db", {})
    exact = (
        db.get("dots") == voting["expected_dots"] and db.get("by_idea") == voting["expected_totals"]
    )
    if exact:
        verdict = "exact"
    elif db.get("dots") == voting["expected_dots"]:
        verdict = "right total, wrong ideas"
    else:
        verdict = f"expected {voting['expected_dots']}"
    errors = sum(voting["errors"].values())
    error_codes = f" {voting['errors']}" if errors else ""
    unanswered = f", {voting['unanswered']} unanswered" if voting["unanswered"] else ""
    refused = ""
    rule = voting.get("rule", "dots")
    marks = "places" if rule == "ranking" else "dots"
    if (
        rule != "approval"
        and voting.get("budget", voting["per_participant"]) < voting["per_participant"]
    ):
        refused = (
            f"{kind} voting: over budget ({voting['budget']} {marks} each, "
            f"{voting['per_participant']} votes cast): {voting['answered_per_s']:.0f} votes "
            f"answered/s, all answered {voting['all_answered_after_first_send_s']:.1f} s after "
            f"the first send; each refusal answered within "
            f"{voting.get('refusal_p99_ms', float('nan')):.0f} ms of its sending (p99), the last "
            f"{voting['last_refusal_after_last_ack_ms']:.0f} ms after the last accepted vote "
            f"(a voter's refused vote is their last)"
        )
    lines = [
        f"{kind} voting: {voting['acked']}/{voting['sent']} votes acked, "
        f"{errors} errors{error_codes}{unanswered}, {voting['votes_per_s']:.0f} votes/s "
        f"(offered {voting['sent'] / voting['offered_seconds']:.0f}/s, "
        f"sent in {voting['send_seconds']:.1f} s), DB total {db.get('dots', '?')} ({verdict})",
        f"{kind} voting: final tally on every screen: p50 {voting['final_p50_ms']:.0f} ms, "
        f"p99 {voting['final_p99_ms']:.0f} ms, max {voting['final_max_ms']:.0f} ms after the "
        f"last ack (p50 {voting['final_after_send_p50_ms']:.0f}, "
        f"p99 {voting['final_after_send_p99_ms']:.0f}, "
        f"max {voting['final_after_send_max_ms']:.0f} ms after the last send); "
        f"{voting['screens_missed']} of {voting['screens']} screens missed it "
        f"within {voting['settle_seconds']:g} s",
        f"{kind} voting: {voting['opened']} voters ({voting['per_participant']} votes each by "
        f"{rule} on {voting['ideas']} ideas), vote round trip p50 {voting['ack_p50_ms']:.0f} ms, "
        f"p99 {voting['ack_p99_ms']:.0f} ms; {voting['tally_events']} tallies received; "
        f"server CPU {100 * voting['server_cpu']:.0f} %, "
        f"load generator CPU {100 * voting['load_cpu']:.0f} %"
        + "".join(
            f", {name} CPU {100 * share:.0f} %"
            for name, share in voting.get("side_cpu", {}).items()
        )
        + " (of one core; the server's with all its processes)",
    ]
    if "machine_cpu" in voting:
        ours = voting["server_cpu"] + voting["load_cpu"] + sum(voting.get("side_cpu", {}).values())
        lines.append(
            f"{kind} voting: the machine's {os.cpu_count()} cores were busy "
            f"{voting['machine_cpu']:.2f} cores' worth, other work than the bench's "
            f"{max(0.0, voting['machine_cpu'] - ours):.2f}, the hypervisor took "
            f"{voting['machine_stolen']:.2f}"
        )
    if refused:
        lines.append(refused)
    elif "all_answered_after_first_send_s" in voting:
        lines.append(
            f"{kind} voting: all {voting['sent']} answered "
            f"{voting['all_answered_after_first_send_s']:.1f} s after the first send"
        )
    if baseline:
        lines.append(f"{kind} voting, before (docs/deploy.md): {baseline}")
    problems = {
        key: voting[key]
        for key in ("open_errors", "first_open_error", "screens_overcounted")
        if voting.get(key)
    }
    if voting["dots_in_acks"] != voting["expected_dots"]:
        problems["dots_in_acks"] = voting["dots_in_acks"]
    if problems:
        lines.append(f"{kind} voting: {problems}")
    return lines


def table(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    ceiling = results.get("raw")
    rows: list[list[str]] = []
    header = [
        "server",
        "p50 ms",
        "p99 ms",
        "max ms",
        "delivered/expected",
        "events/s @rate",
        "sat. events/s",
        "sat. deliveries/s",
        "vs raw",
        "sat. delivered",
        "opens/s",
        "KiB/conn",
    ]
    for kind, result in results.items():
        if "steady" not in result:
            continue  # a run of joins or votes alone
        steady, sat = result["steady"], result.get("saturate", {})
        ratio = ""
        if ceiling and sat and ceiling.get("saturate"):
            ratio = f"{sat['deliveries_per_s'] / ceiling['saturate']['deliveries_per_s']:.2f}x"
        rows.append(
            [
                kind,
                f"{steady['p50_ms']:.1f}",
                f"{steady['p99_ms']:.1f}",
                f"{steady['max_ms']:.1f}",
                f"{steady['delivered']}/{steady['expected']}",
                f"{steady['events_per_s']:.1f}",
                f"{sat.get('events_per_s', float('nan')):.1f}",
                f"{sat.get('deliveries_per_s', float('nan')):.0f}",
                ratio,
                f"{sat.get('delivered', 0)}/{sat.get('expected', 0)}",
                f"{result['opens_per_s']:.0f}",
                f"{result['kib_per_connection']:.1f}",
            ]
        )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(header))]
    lines.append("-+-".join("-" * width for width in widths))
    lines += [" | ".join(cell.rjust(widths[i]) for i, cell in enumerate(row)) for row in rows]
    for kind, result in results.items():
        before = BASELINE.get(kind, {})
        if "steady" in result and "p99_ms" in before:
            lines.append(
                f"{kind} before (docs/deploy.md): p99 {before['p99_ms']:.0f} ms"
                + (f", {before['vs_raw']:.2f}x raw" if "vs_raw" in before else "")
                + f"; now p99 {result['steady']['p99_ms']:.0f} ms"
            )
        if result.get("joins"):
            lines.append(
                f"{kind}: {result['joins']} joins by {result.get('join_by', 'form')}, offered over "
                f"{result.get('join_offered_seconds', float('nan')):g} s, done after "
                f"{result['join_seconds']:.1f} s ({result['joins_per_s']:.0f}/s), "
                f"{result['join_errors']} errors, p99 {result['join_p99_ms']:.0f} ms, "
                f"generator CPU {result.get('join_load_cpu', float('nan')):.2f}"
                + (
                    f", server CPU {result['join_server_cpu_ms']:.1f} ms a join"
                    if result.get("join_server_cpu_ms") is not None
                    else ""
                )
                + (
                    f", the machine's cores busy {result['join_machine_cpu']:.2f}"
                    if "join_machine_cpu" in result
                    else ""
                )
                + (
                    f", {result['join_current']} sockets opened with snapshot.current"
                    if "join_current" in result
                    else ""
                )
                + (f" (first: {result['first_join_error']})" if result["join_errors"] else "")
            )
            if "joins_per_s" in before:
                lines.append(
                    f"{kind} joins before (docs/deploy.md, 25 at a time, empty room): "
                    f"{before['joins_per_s']:.0f}/s, p99 {before['join_p99_ms']:,.0f} ms; "
                    "target: 100/s, all in within 12 s, p99 1,000 ms"
                )
        problems = {
            key: result[key] for key in ("open_errors", "first_open_error") if result.get(key)
        }
        for phase in ("steady", "saturate"):
            for key in ("duplicates", "out_of_order", "missing_at_probes"):
                if result.get(phase, {}).get(key):
                    problems[f"{phase}.{key}"] = result[phase][key]
        if problems:
            lines.append(f"{kind}: {problems}")
    for kind, result in results.items():
        if result.get("voting"):
            database = "PostgreSQL" if args.postgres else "SQLite"
            baseline = (
                VOTE_BASELINES.get((database, args.processes, args.over_budget), "")
                if args.vote_rule == "dots"
                else RULE_BASELINES.get(
                    (args.vote_rule, database, args.processes, args.over_budget), ""
                )
            )
            lines += voting_lines(kind, result["voting"], baseline)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="connections in the room")
    parser.add_argument("--probes", type=int, default=20)
    parser.add_argument("--rate", type=float, default=20, help="events per second")
    parser.add_argument("--seconds", type=float, default=10, help="length of the steady run")
    parser.add_argument("--sat-rate", type=float, default=200, help="offered rate, saturation")
    parser.add_argument("--sat-events", type=int, default=200)
    parser.add_argument("--joins", type=int, default=1000, help="joins through the join page")
    parser.add_argument(
        "--votes", type=int, default=5, help="dots each of N voters casts, one per vote (0: none)"
    )
    parser.add_argument("--vote-seconds", type=float, default=10, help="length of the vote")
    parser.add_argument(
        "--join-seconds", type=float, default=10, help="offer the joins evenly over this long"
    )
    parser.add_argument(
        "--parts",
        default="fanout,votes,joins",
        help="which runs of the application: fanout, votes, joins (comma-separated)",
    )
    parser.add_argument(
        "--vote-rule",
        choices=VOTE_RULES,
        default="dots",
        help="the voting room's rule: dots, approval (each vote approves one more idea) or "
        "ranking (each vote a ranking one place longer)",
    )
    parser.add_argument(
        "--over-budget",
        action="store_true",
        help="give each voter a fifth fewer dots than they cast, so a fifth of the votes "
        "are refused",
    )
    parser.add_argument("--join-ideas", type=int, default=0, help="ideas already in the join room")
    parser.add_argument(
        "--join-by",
        choices=["socket", "form"],
        default="socket",
        help="join as the join page's script does (the name over the room's socket) or as "
        "a phone without script (the form, then the socket)",
    )
    parser.add_argument("--servers", default="raw,bare,app,uvicorn")
    parser.add_argument("--processes", type=int, default=1, help="application processes")
    parser.add_argument("--redis", action="store_true", help="channels_redis instead of memory")
    parser.add_argument(
        "--postgres", action="store_true", help="the application on PostgreSQL instead of SQLite"
    )
    parser.add_argument("--json", default="", help="also write the raw results here")
    parser.add_argument("--profile", default="", help="folder for py-spy profiles of servers")
    parser.add_argument(
        "--profile-idle",
        action="store_true",
        help="with --profile, sample waiting threads too (where the wall clock goes)",
    )
    args = parser.parse_args(argv)
    if args.processes > 1:
        args.redis = True

    if not 0 <= args.votes <= 50:
        parser.error("--votes: a ballot gives each person between 1 and 50 dots (0: no vote)")
    if args.vote_rule == "ranking" and args.votes > 10:
        parser.error("--votes: a ranking has between 1 and 10 places")
    if args.vote_rule == "approval" and args.over_budget:
        parser.error("--over-budget: approval has no budget to go over")
    vote = ""
    if args.votes:
        vote = f"vote: {args.votes} votes each by {args.vote_rule} within {args.vote_seconds:g} s"
        vote += f" on a budget of {vote_budget(args)}; " if args.over_budget else "; "

    print(f"machine: {machine()}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()))
    print(
        f"load: N={args.n}, {args.probes} probes, {args.rate:g} events/s for {args.seconds:g} s; "
        f"saturation {args.sat_events} events offered at {args.sat_rate:g}/s; {vote}"
        f"layer: {'redis' if args.redis else 'in-memory'}; app processes: {args.processes}; "
        f"database: {'PostgreSQL' if args.postgres else 'SQLite'}; "
        f"server on core {SERVER_CORE}, load on core {LOAD_CORE}; "
        f"joins into a room of {args.join_ideas} ideas, by {args.join_by}"
    )
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="samskab-bench-") as tmp:
        workdir = Path(tmp)
        with contextlib.ExitStack() as stack:
            redis_url = stack.enter_context(redis_server(workdir)) if args.redis else ""
            cluster = stack.enter_context(postgres_cluster()) if args.postgres else None
            for kind in args.servers.split(","):
                print(f"measuring {kind} ...", flush=True)
                try:
                    results[kind] = measure(kind, args, workdir, redis_url, cluster)
                except (RuntimeError, subprocess.TimeoutExpired) as error:
                    print(f"{kind} failed: {error}")
                    for log in workdir.glob("*.log"):
                        print(log.read_text(errors="replace")[-3000:])
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    print()
    print(table(results, args))


if __name__ == "__main__":
    main()
