#!/usr/bin/env python3
"""Summarises the box study's metrics.json (samples/BoxRegression --experiment outliers) for docs/sample.md.

Usage: python3 tools/study-summary/summarize.py docs/sample-metrics.json

Prints, per matching mode, a Markdown table of mean IoU after training and AP75 at each outlier fraction (mean ± sample
standard deviation over seeds), the drop of mean IoU from ε = 0 to ε = 0.4 (per seed, then mean ± sd), and each loss's
difference from SmoothL1 paired by seed (same seed, same data and corruption), marked when its mean exceeds twice its
standard error (sd/√n): the differences that are larger than the seed-to-seed noise. A run at ε = 0 stored for one
matching mode with `shared_with` the other serves both. Standard library only.
"""
import json
import math
import sys
from collections import defaultdict

ORDER = ["L2", "L1", "SmoothL1", "Huber", "BalancedL1", "GIoU", "AdaptiveRobust"]


def mean_sd(values):
    n = len(values)
    m = sum(values) / n
    sd = math.sqrt(sum((v - m) ** 2 for v in values) / (n - 1)) if n > 1 else float("nan")
    return m, sd


def main(path):
    runs = json.load(open(path))
    table = defaultdict(dict)  # (loss, matching, eps) -> {seed: run}
    for run in runs:
        modes = [run["matching"]] + ([run["shared_with"]] if run.get("shared_with") else [])
        for mode in modes:
            table[(run["loss"], mode, run["outlier_fraction"])][run["seed"]] = run
    epsilons = sorted({key[2] for key in table})
    for mode in ["oracle", "labels"]:
        print(f"\n### {mode} matching\n")
        header = "| loss | " + " | ".join(f"IoU ε={e:g}" for e in epsilons) + " | " + " | ".join(f"AP75 ε={e:g}" for e in epsilons)
        print(header + " | IoU drop 0→0.4 | drop − SmoothL1's (paired) | IoU at 0.4 − SmoothL1's (paired) |")
        print("|---" * (1 + 2 * len(epsilons) + 3) + "|")
        reference = {e: table.get(("SmoothL1", mode, e), {}) for e in epsilons}
        for loss in ORDER:
            cells = []
            for metric in ["mean_iou_after", "ap75"]:
                for e in epsilons:
                    runs_here = table.get((loss, mode, e), {})
                    if not runs_here:
                        cells.append("—")
                        continue
                    m, sd = mean_sd([r[metric] for r in runs_here.values()])
                    cells.append(f"{m:.3f} ± {sd:.3f}")
            first, last = table.get((loss, mode, 0), {}), table.get((loss, mode, 0.4), {})
            seeds = sorted(set(first) & set(last))
            drops = {s: first[s]["mean_iou_after"] - last[s]["mean_iou_after"] for s in seeds}
            drop = mean_sd(list(drops.values())) if drops else (float("nan"), float("nan"))
            cells.append(f"{drop[0]:.3f} ± {drop[1]:.3f} (n={len(drops)})")
            for quantity in ["drop", "iou"]:
                if loss == "SmoothL1":
                    cells.append("—")
                    continue
                ref_first, ref_last = reference.get(0, {}), reference.get(0.4, {})
                paired = []
                for s in seeds:
                    if s in ref_first and s in ref_last:
                        if quantity == "drop":
                            paired.append(drops[s] - (ref_first[s]["mean_iou_after"] - ref_last[s]["mean_iou_after"]))
                        else:
                            paired.append(last[s]["mean_iou_after"] - ref_last[s]["mean_iou_after"])
                if len(paired) < 2:
                    cells.append("—")
                    continue
                m, sd = mean_sd(paired)
                marker = " **\\***" if abs(m) > 2 * sd / math.sqrt(len(paired)) else ""
                cells.append(f"{m:+.3f} ± {sd:.3f}{marker}")
            print(f"| {loss} | " + " | ".join(cells) + " |")
    adaptive = [r for r in runs if r["loss"] == "AdaptiveRobust" and r.get("alpha")]
    if adaptive:
        print("\n### AdaptiveRobust: learned α and scale per coordinate (dx, dy, dw, dh), mean over seeds\n")
        print("| matching | ε | α | scale |")
        print("|---|---|---|---|")
        groups = defaultdict(list)
        for r in adaptive:
            groups[(r["matching"], r["outlier_fraction"])].append(r)
        for (mode, e), rs in sorted(groups.items()):
            alpha = [sum(r["alpha"][k] for r in rs) / len(rs) for k in range(4)]
            scale = [sum(r["scale"][k] for r in rs) / len(rs) for k in range(4)]
            print(f"| {mode} | {e:g} | " + ", ".join(f"{a:.2f}" for a in alpha) + " | " + ", ".join(f"{c:.2f}" for c in scale) + " |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/sample-metrics.json")
