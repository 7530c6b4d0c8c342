#!/usr/bin/env python3
"""Runs adiff and PyTorch on the same workloads in one invocation and prints the comparison.

Each workload runs in its own child process for each side (so peak RSS is that workload's
own, read from wait4), first adiff (`adiff-bench pipeline`), then PyTorch
(Benchmarks/pytorch/torch_bench.py), on the same random-weight full-size SD1.5 checkpoint and
v2 motion module (`adiff-make-models --preset sd15 --out DIR`). The table gives each median
time, the ratio adiff / PyTorch (below 1 means adiff is faster), the effective GFLOP/s of
each side against the machine's fp32 peak (525 GFLOP/s on 2 cores, performance-baseline.md),
and peak RSS. With --append the table is appended to Benchmarks/README.md with the date, the
commit and the OpenBLAS settings.

Usage (release build first: swift build -c release --product adiff-bench):
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 Benchmarks/run_side_by_side.py \
      --models /path/to/sd15-models [--workloads step256,vae512,clip] [--dtype fp32] [--append]
"""

import argparse
import datetime
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# GFLOP per workload (performance-baseline.md §1.1; multiply-add = 2 FLOPs).
GFLOP = {
    "step256": 8212.0,    # UNetMotionModel, 2 × 16 frames, 256 px
    "step512": 35498.0,   # the same at 512 px
    "vae512": 2514.5,     # VAE decoder, one 512² frame
    "clip": 13.3,         # CLIP ViT-L/14, 77 tokens
    "lcm256": 2 * 13.3 + 6 * 8212.0 + 16 * 622.2,
}
PEAK = {"fp32": 525.0, "bf16": 1050.0}


def run(command):
    """Runs `command`, returns (its JSON line, peak RSS in MiB)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    out = process.stdout.read()
    err = process.stderr.read()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({process.returncode}):\n{err[-4000:]}")
    line = [candidate for candidate in out.splitlines() if candidate.startswith("{")][-1]
    return json.loads(line), usage.ru_maxrss / 1024.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", required=True)
    parser.add_argument("--workloads", default="step256,vae512,clip,step512,lcm256")
    parser.add_argument("--dtype", default="fp32", choices=["fp32", "bf16"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--bench", default=os.path.join(ROOT, ".build/release/adiff-bench"))
    parser.add_argument("--append", action="store_true")
    args = parser.parse_args()
    rows = []
    for workload in args.workloads.split(","):
        ours, ours_rss = run([args.bench, "pipeline", "--models", args.models, "--workload", workload,
                              "--precision", args.dtype, "--runs", str(args.runs), "--json"])
        torch, torch_rss = run([sys.executable, os.path.join(ROOT, "Benchmarks/pytorch/torch_bench.py"),
                                "--models", args.models, "--workload", workload, "--dtype", args.dtype,
                                "--runs", str(args.runs)])
        rows.append((workload, ours["seconds"], torch["seconds"], ours_rss, torch_rss))
        print(f"{workload}: adiff {ours['seconds']:.2f} s, PyTorch {torch['seconds']:.2f} s", flush=True)

    lines = [
        f"| workload ({args.dtype}) | adiff s | PyTorch s | adiff / PyTorch | adiff GFLOP/s | PyTorch GFLOP/s "
        f"| adiff % of peak | adiff peak RSS MiB | PyTorch peak RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for workload, ours, torch, ours_rss, torch_rss in rows:
        flops = GFLOP[workload]
        lines.append(
            f"| {workload} | {ours:.2f} | {torch:.2f} | {ours / torch:.2f} | {flops / ours:.0f} | {flops / torch:.0f} "
            f"| {100 * flops / ours / PEAK[args.dtype]:.0f} % | {ours_rss:.0f} | {torch_rss:.0f} |")
    table = "\n".join(lines)
    print(table)
    if args.append:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        settings = ", ".join(f"{k}={os.environ[k]}" for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
                             if k in os.environ) or "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset"
        with open(os.path.join(ROOT, "Benchmarks/README.md"), "a") as f:
            f.write(f"\n### Side by side with PyTorch, {datetime.date.today()} (commit {commit}; {settings}; "
                    f"median of {args.runs} runs after a warm-up)\n\n{table}\n")


if __name__ == "__main__":
    main()
