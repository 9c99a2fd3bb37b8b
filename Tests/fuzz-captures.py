#!/usr/bin/env python3
"""Mutation fuzzing of `rdpdiag analyze` over the bundled captures.

    python3 Tests/fuzz-captures.py BINARY [SECONDS] [SEED]

Each round takes a capture from Captures/, damages a copy of it (random bytes
overwritten, a range duplicated or cut out, or boundary values such as 0, 0x7f,
0xffff, 0xffffffff written over record and header fields), and runs BINARY on it:
text, JSON or JSON Lines, sometimes with --all, sometimes with the capture's key log.
rdpdiag must end within 30 s with status 0 (all fine), 1 (a connection failed) or
2 (a capture it could not read): for anything else, a crash or a hang, the input is
kept in a temporary directory and the command that showed it is printed. The file header (first 24 bytes)
is left alone, so that most rounds reach the packets.

Runs for SECONDS (default 60); the same SEED replays the same inputs. Exits 1 when
any round went wrong. Run two at once with different seeds to use two cores.
"""
import glob
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

BOUNDARY_VALUES = [0, 1, 0x7F, 0x80, 0xFF, 0xFFFE, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF]
HEADER_BYTES = 24


def mutate(data: bytearray, rng: random.Random) -> bytearray:
    kind = rng.random()
    if kind < 0.6:
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(HEADER_BYTES, len(data))] = rng.randrange(256)
    elif kind < 0.8:
        start = rng.randrange(HEADER_BYTES, len(data))
        end = min(len(data), start + rng.randint(1, 400))
        if rng.random() < 0.5:
            data[start:start] = data[start:end]
        else:
            del data[start:end]
    else:
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(HEADER_BYTES, len(data) - 4)
            value = rng.choice(BOUNDARY_VALUES)
            data[at:at + 4] = value.to_bytes(4, rng.choice(["big", "little"]))
    return data


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    binary = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    captures = sorted(glob.glob(os.path.join(root, "Captures", "*.pcap"))
                      + glob.glob(os.path.join(root, "Captures", "*.pcapng")))
    if not captures:
        print("fuzz-captures: no captures in Captures/", file=sys.stderr)
        return 2
    originals = {path: open(path, "rb").read() for path in captures}
    rng = random.Random(seed)
    work = tempfile.mkdtemp(prefix=f"rdpdiag-fuzz-{seed}-")
    deadline = time.monotonic() + seconds
    rounds = bad = 0
    while time.monotonic() < deadline:
        source = rng.choice(captures)
        extension = ".pcapng" if source.endswith(".pcapng") else ".pcap"
        damaged = os.path.join(work, "input" + extension)
        with open(damaged, "wb") as f:
            f.write(mutate(bytearray(originals[source]), rng))
        args = [binary, "analyze", "--format", rng.choice(["text", "json", "jsonl"])]
        keys = source.rsplit(".", 1)[0] + ".keys"
        if os.path.exists(keys) and rng.random() < 0.5:
            args += ["--keylog", keys]
        if rng.random() < 0.3:
            args.append("--all")
        args.append(damaged)
        try:
            result = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=30)
            status, stderr = result.returncode, result.stderr[-300:].decode(errors="replace")
        except subprocess.TimeoutExpired:
            status, stderr = "timeout", ""
        rounds += 1
        if status not in (0, 1, 2):
            bad += 1
            kept = os.path.join(work, f"bad-{rounds}{extension}")
            os.rename(damaged, kept)
            print(f"BAD {status} from {os.path.basename(source)}: {' '.join(args[:-1])} {kept}\n{stderr}", flush=True)
    if bad:
        print(f"{rounds} rounds, {bad} bad (seed {seed}); inputs kept in {work}")
        return 1
    shutil.rmtree(work)
    print(f"{rounds} rounds, 0 bad (seed {seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
