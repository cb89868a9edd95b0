"""Evaluate the Thai understanding on text it never trained on; print a Markdown report.

    .venv/bin/python -m benchmarks.evaluate_nlu [--traffy ../shared/data/traffy/test.csv]

- intents: `benchmarks/data/intents_heldout.tsv`, written apart from the training files:
  per-intent precision, recall and F1, macro-F1, the confusion matrix, calibration, how often
  the bot would ask instead of guessing, and every error;
- categories: the hit rate on Traffy Fondue complaints, scored as the data's README says;
- speed: load time in this fresh process, and per-message latency after warm-up against a
  baseline measured in the same run (PyThaiNLP word segmentation of the same messages).
"""

from __future__ import annotations

import time

_STARTED = time.perf_counter()

import argparse  # noqa: E402
import csv  # noqa: E402
import statistics  # noqa: E402
from collections import Counter  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

import nlu  # noqa: E402, F401  (sets PyThaiNLP offline before anything imports it)
from nlu.categories import BY_SLUG  # noqa: E402
from nlu.normalise import normalise  # noqa: E402
from nlu.tokens import tokenize  # noqa: E402
from nlu.understand import CORRUPTION, DATA, INTENTS, Understander, intent_examples  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HELD_OUT = ROOT / "benchmarks" / "data" / "intents_heldout.tsv"
TRAFFY = ROOT.parent / "shared" / "data" / "traffy" / "test.csv"
GENERIC_TRAFFY_LABELS = {"ร้องเรียน", "สอบถาม", "เสนอแนะ"}
TRAFFY_ALIASES = {"ป้ายจราจร": "ป้าย"}
TODAY = date(2026, 11, 25)


def read_held_out(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8") as f:
        return [(row["intent"], row["text"]) for row in csv.DictReader(f, delimiter="\t")]


def unseen(rows: list[tuple[str, str]], data: Path = DATA) -> list[tuple[str, str]]:
    """Held-out rows minus those identical, once normalised, to a training line: short
    messages like "ขอบคุณค่ะ" can only be written so many ways, and a score must be on text
    the classifier never saw."""
    training = {normalise(e.text) for e in intent_examples(data)}
    return [(label, text) for label, text in rows if normalise(text) not in training]


def read_traffy(path: Path) -> list[tuple[str, set[str]]]:
    """Rows with at least one topical label, as the data's README scores them."""
    rows = []
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            labels = {TRAFFY_ALIASES.get(x, x) for x in row["categories"].split("|") if x}
            topical = labels - GENERIC_TRAFFY_LABELS
            if topical:
                rows.append((row["text"], topical))
    return rows


def intent_scores(truth: list[str], predicted: list[str]) -> dict[str, tuple[float, float, float]]:
    """Precision, recall and F1 per intent."""
    scores = {}
    for intent in INTENTS:
        tp = sum(t == p == intent for t, p in zip(truth, predicted, strict=True))
        fp = sum(p == intent != t for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == intent != p for t, p in zip(truth, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[intent] = (precision, recall, f1)
    return scores


def macro_f1(scores: dict[str, tuple[float, float, float]]) -> float:
    return statistics.mean(f1 for _, _, f1 in scores.values())


def intent_report(understander: Understander, rows: list[tuple[str, str]]) -> list[str]:
    truth = [label for label, _ in rows]
    understood = [understander.understand(text, TODAY) for _, text in rows]
    predicted = [u.intent.intent for u in understood]
    out = [f"### Intents: {len(rows)} held-out messages", ""]
    out += ["| intent | precision | recall | F1 | n |", "|---|---|---|---|---|"]
    scores = intent_scores(truth, predicted)
    for intent, (precision, recall, f1) in scores.items():
        n = truth.count(intent)
        out.append(f"| {intent} | {precision:.3f} | {recall:.3f} | {f1:.3f} | {n} |")
    accuracy = sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(rows)
    out += ["", f"**Macro-F1 {macro_f1(scores):.3f}**, accuracy {accuracy:.3f}.", ""]

    corruption = [u for t, u in zip(truth, understood, strict=True) if t == CORRUPTION]
    safe = sum(u.intent.intent == CORRUPTION or u.needs_corruption_question for u in corruption)
    recall = sum(u.intent.intent == CORRUPTION for u in corruption) / len(corruption)
    out.append(
        f"Corruption reports: recall {recall:.3f} as the top intent; "
        f"{safe}/{len(corruption)} ({safe / len(corruption):.3f}) either classified as "
        "corruption or met by the safety question, i.e. never filed on another track unasked."
    )
    not_corruption = [u for t, u in zip(truth, understood, strict=True) if t != CORRUPTION]
    false_alarms = sum(u.needs_corruption_question for u in not_corruption)
    out.append(
        f"The safety question was asked on {false_alarms}/{len(not_corruption)} other messages."
    )
    asked = [u.unsure for u in understood]
    answered_right = [
        t == u.intent.intent for t, u in zip(truth, understood, strict=True) if not u.unsure
    ]
    out.append(
        f"The bot asks a clarifying question (unsure) on {sum(asked)}/{len(rows)} messages; "
        f"when it does not ask it is right {statistics.mean(answered_right):.3f} of the time."
    )
    out += ["", *calibration_table(truth, understood), ""]
    out += ["Confusion matrix (rows: truth, columns: predicted):", ""]
    short = [i.replace("complaint_", "c_").replace("service_info", "service") for i in INTENTS]
    out += ["| | " + " | ".join(short) + " |", "|---" * (len(INTENTS) + 1) + "|"]
    counts = Counter(zip(truth, predicted, strict=True))
    for intent, name in zip(INTENTS, short, strict=True):
        cells = [str(counts[(intent, p)] or ".") for p in INTENTS]
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    out += ["", "Errors (truth → predicted, confidence):", ""]
    for (label, text), u in zip(rows, understood, strict=True):
        if u.intent.intent != label:
            out.append(f"- {label} → {u.intent.intent} ({u.intent.confidence:.2f}): {text}")
    return out


def calibration_table(truth: list[str], understood: list) -> list[str]:
    bins = [(0.0, 0.5), (0.5, 0.7), (0.7, 0.85), (0.85, 0.95), (0.95, 1.01)]
    out = ["| confidence | messages | accuracy |", "|---|---|---|"]
    total_gap = 0.0
    for low, high in bins:
        inside = [
            (t == u.intent.intent, u.intent.confidence)
            for t, u in zip(truth, understood, strict=True)
            if low <= u.intent.confidence < high
        ]
        if not inside:
            continue
        accuracy = statistics.mean(ok for ok, _ in inside)
        confidence = statistics.mean(c for _, c in inside)
        total_gap += abs(accuracy - confidence) * len(inside)
        out.append(f"| {low:.2f}–{min(high, 1):.2f} | {len(inside)} | {accuracy:.3f} |")
    out.append("")
    out.append(f"Expected calibration error: {total_gap / len(truth):.3f}.")
    return out


def category_report(understander: Understander, rows: list[tuple[str, set[str]]]) -> list[str]:
    top = [understander.categories.suggest(text, limit=3) for text, _ in rows]
    hits = [
        bool(s) and s[0].category.traffy in labels for s, (_, labels) in zip(top, rows, strict=True)
    ]
    top3 = [
        any(x.category.traffy in labels for x in s)
        for s, (_, labels) in zip(top, rows, strict=True)
    ]
    always_road = [("ถนน" in labels) for _, labels in rows]
    predicted = Counter(s[0].category.slug for s in top if s)
    complaint_like = [understander.understand(text, TODAY).intent.intent for text, _ in rows]
    as_complaint = sum(i in ("complaint_general", CORRUPTION) for i in complaint_like)
    out = [
        f"### Categories: {len(rows)} Traffy Fondue complaints with a topical label",
        "",
        f"**Hit rate {statistics.mean(hits):.3f}** (top suggestion among the row's labels); "
        f"top-3 hit rate {statistics.mean(top3):.3f}; "
        f"always ถนน {statistics.mean(always_road):.3f}.",
        "",
        "Predicted top categories: "
        + ", ".join(f"{BY_SLUG[s].name} {n}" for s, n in predicted.most_common()),
        "",
        f"Intent of these real complaints: {as_complaint}/{len(rows)} "
        f"({as_complaint / len(rows):.3f}) classified as a complaint (general or corruption); "
        + ", ".join(f"{k} {v}" for k, v in Counter(complaint_like).most_common()),
        "",
        "Hit rate among the rows that carry each label:",
        "",
        "| label | rows | hit rate |",
        "|---|---|---|",
    ]
    by_label: dict[str, list[bool]] = {}
    for (_, labels), hit in zip(rows, hits, strict=True):
        for label in labels:
            by_label.setdefault(label, []).append(hit)
    for label, values in sorted(by_label.items(), key=lambda kv: -len(kv[1])):
        out.append(f"| {label} | {len(values)} | {statistics.mean(values):.3f} |")
    return out


def speed_report(
    understander: Understander, corpora: dict[str, list[str]], load_seconds: float
) -> list[str]:
    """Per-message latency after warm-up, per corpus, beside a baseline measured in the same
    rounds (normalise + word segmentation of the same messages), interleaved so that machine
    noise hits both alike."""
    everything = [text for texts in corpora.values() for text in texts]
    for text in everything[:300]:
        understander.understand(text, TODAY)

    def timed(operation, texts: list[str]) -> np.ndarray:
        samples = []
        for text in texts:
            started = time.perf_counter_ns()
            operation(text)
            samples.append(time.perf_counter_ns() - started)
        return np.array(samples) / 1e6

    operations = {
        "baseline: normalise + word segmentation": lambda t: tokenize(normalise(t)),
        "understand (intent, signals, entities)": lambda t: understander.understand(t, TODAY),
        "category suggestions (top 3)": lambda t: understander.categories.suggest(t, limit=3),
    }
    out = [
        "### Speed, after warm-up (3 interleaved rounds)",
        "",
        "| messages | operation | p50 ms | p99 ms | max ms |",
        "|---|---|---|---|---|",
    ]
    for corpus, texts in corpora.items():
        samples: dict[str, list[np.ndarray]] = {name: [] for name in operations}
        for _ in range(3):
            for name, operation in operations.items():
                samples[name].append(timed(operation, texts))
        for name, rounds in samples.items():
            ms = np.concatenate(rounds)
            p50, p99 = np.percentile(ms, [50, 99])
            out.append(f"| {corpus} | {name} | {p50:.3f} | {p99:.3f} | {ms.max():.3f} |")
    out += [
        "",
        f"Load: {load_seconds:.2f} s from process start to a ready Understander "
        f"(imports included; fitting both models {understander.load_seconds:.2f} s).",
    ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--held-out", type=Path, default=HELD_OUT)
    parser.add_argument("--traffy", type=Path, default=TRAFFY)
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()

    understander = Understander.load()
    load_seconds = time.perf_counter() - _STARTED
    written = read_held_out(args.held_out)
    held_out = unseen(written)
    print(
        f"{args.held_out.name}: {len(written)} messages, {len(written) - len(held_out)} of them "
        "identical to a training line once normalised and left out.\n"
    )
    print(*intent_report(understander, held_out), sep="\n")
    corpora = {f"{len(written)} chat messages (held-out set)": [text for _, text in written]}
    if args.traffy.exists():
        traffy = read_traffy(args.traffy)
        print("", *category_report(understander, traffy), sep="\n")
        corpora[f"{len(traffy)} Traffy complaints"] = [text for text, _ in traffy]
    else:
        print(f"\n(Traffy data not found at {args.traffy}: category hit rate skipped.)")
    if not args.skip_speed:
        print("", *speed_report(understander, corpora, load_seconds), sep="\n")


if __name__ == "__main__":
    main()
