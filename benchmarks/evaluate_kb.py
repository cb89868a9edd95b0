"""Evaluate the knowledge search on questions it never saw; print a Markdown report.

    .venv/bin/python -m benchmarks.evaluate_kb [--held-out benchmarks/data/kb_heldout.tsv]
                                               [--folder knowledge/content]

Reports the share of questions whose right entry comes first and within the top 3, how
often the bot would answer outright (a clear match) and how often that answer is right,
every miss, and the time per query after warm-up beside a baseline measured in the same
rounds (normalising and segmenting the same question).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

import nlu  # noqa: F401  (sets PyThaiNLP offline before anything imports it)
from handlers.service_info import is_clear
from knowledge.store import SAMPLE_CONTENT, KnowledgeBase
from nlu.normalise import normalise
from nlu.tokens import tokenize

ROOT = Path(__file__).resolve().parent.parent
HELD_OUT = ROOT / "benchmarks" / "data" / "kb_heldout.tsv"


def read_held_out(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8") as f:
        return [(row["id"], row["question"]) for row in csv.DictReader(f, delimiter="\t")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--held-out", type=Path, default=HELD_OUT)
    parser.add_argument("--folder", type=Path, default=SAMPLE_CONTENT)
    args = parser.parse_args()

    index = KnowledgeBase(args.folder).current().index
    rows = read_held_out(args.held_out)
    ranked = [[h.entry_id for h in index.search(q, limit=5)] for _, q in rows]
    first = [bool(r) and r[0] == want for (want, _), r in zip(rows, ranked, strict=True)]
    top3 = [want in r[:3] for (want, _), r in zip(rows, ranked, strict=True)]
    clear = [is_clear(index.search(q, limit=5)) for _, q in rows]
    clear_right = [f for f, c in zip(first, clear, strict=True) if c]

    print(f"### Knowledge search: {len(rows)} held-out questions\n")
    print(
        f"**Right entry first {statistics.mean(first):.3f}**, within the top 3 "
        f"{statistics.mean(top3):.3f}.\n"
    )
    print(
        f"The bot answers outright (a clear match) for {sum(clear)}/{len(rows)} questions and "
        f"is right {statistics.mean(clear_right or [0]):.3f} of those times; for the rest it "
        "offers the top entries to choose from.\n"
    )
    by_id: dict[str, list[bool]] = defaultdict(list)
    for (want, _), hit in zip(rows, first, strict=True):
        by_id[want].append(hit)
    print("| entry | questions | first |\n|---|---|---|")
    for entry_id, hits in sorted(by_id.items()):
        print(f"| {entry_id} | {len(hits)} | {statistics.mean(hits):.3f} |")
    print("\nMisses (wanted → ranked):\n")
    for (want, question), r in zip(rows, ranked, strict=True):
        if not r or r[0] != want:
            print(f"- {want} → {', '.join(r[:3]) or 'nothing'}: {question}")

    questions = [q for _, q in rows]
    for q in questions:
        index.search(q)
    baseline, search = [], []
    for _ in range(5):  # interleaved rounds: machine noise hits both alike
        for q in questions:
            started = time.perf_counter_ns()
            tokenize(normalise(q))
            baseline.append(time.perf_counter_ns() - started)
            started = time.perf_counter_ns()
            index.search(q)
            search.append(time.perf_counter_ns() - started)
    print("\n### Search speed, after warm-up (5 rounds)\n")
    print("| operation | p50 ms | p99 ms | max ms |\n|---|---|---|---|")
    for name, samples in (("baseline: normalise + segment", baseline), ("search", search)):
        ms = np.array(samples) / 1e6
        p50, p99 = np.percentile(ms, [50, 99])
        print(f"| {name} | {p50:.3f} | {p99:.3f} | {ms.max():.3f} |")


if __name__ == "__main__":
    main()
