"""Class analytics over a batch's feedback documents: what the class got wrong most.

``summarize(docs)`` computes the numbers (score distribution; the checks, blocks and
diagnosis kinds that fail most often) into a JSON-ready dict (``DIR/summary.json``);
``render(summary)`` writes the short table printed at the end of ``grader grade``.
Scale factors are rounded before grouping, so 3.98x and 4.01x both count as "scaled x4".
"""

from __future__ import annotations

import statistics
from collections import Counter

HISTOGRAM_BINS = 10

_KIND_LABEL = {
    "sign": "sign flipped", "missing_l2": "L2 term missing", "extra_l2": "L2 term counted twice",
    "transposed": "transposed", "shape": "wrong shape", "zero": "all zeros", "nonfinite": "NaN or inf",
    "missing": "missing", "type": "wrong type", "relu_mask": "wrong ReLU mask",
    "activation": "wrong activation derivative", "unknown": "wrong (no known pattern)",
}


def round_factor(factor: float) -> str:
    """A scale factor as people say it: 3.98 -> "4", 0.502 -> "0.5", 1.37 -> "1.4"."""
    nearest = round(factor)
    if nearest != 0 and abs(factor - nearest) <= 0.05 * abs(factor):
        return f"{nearest:d}"
    return f"{factor:.2g}"


def diagnosis_label(diagnosis: dict) -> str:
    kind, factor = diagnosis.get("kind"), diagnosis.get("factor")
    if kind == "scale" and factor is not None:
        return f"scaled ×{round_factor(factor)}"
    return _KIND_LABEL.get(kind, str(kind))


def _histogram(scores: list[float], max_score: float) -> list[dict]:
    if max_score <= 0:
        return []
    width = max_score / HISTOGRAM_BINS
    counts = [0] * HISTOGRAM_BINS
    for s in scores:
        counts[min(int(s / width), HISTOGRAM_BINS - 1) if s > 0 else 0] += 1
    return [{"low": round(i * width, 6), "high": round((i + 1) * width, 6), "count": c}
            for i, c in enumerate(counts)]


def _ranked(counter: Counter, total: int) -> list[dict]:
    return [{"name": name, "count": n, "of": total} for name, n in
            sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]


def summarize(docs: list[dict]) -> dict:
    """The class summary of feedback documents (one per student).

    Returns:
        {"submissions", "graded", "unreadable", "score": {mean, median, min, max,
        max_score, histogram}, "checks", "blocks", "diagnoses", "execution"}, where each
        of checks/blocks/diagnoses lists {"name", "count", "of"} by count, most first;
        "of" is the number of graded (readable) submissions.
    """
    graded = [d for d in docs if d["status"] == "graded"]
    scores = [float(d["score"]) for d in docs]
    max_score = max((float(d["max_score"]) for d in docs), default=0.0)
    checks, blocks, diagnoses, cell_errors = Counter(), Counter(), Counter(), Counter()
    timed_out = died = 0
    for d in graded:
        for c in d["checks"]:
            if c["status"] != "pass":
                checks[c["name"]] += 1
            for b in c["blocks"]:
                if b["status"] != "fail":
                    continue
                blocks[f"{c['name']} → {b['name']}"] += 1
                if b.get("diagnosis"):
                    diagnoses[f"{c['name']} → {b['name']} {diagnosis_label(b['diagnosis'])}"] += 1
        ex = d.get("execution") or {}
        timed_out += bool(ex.get("timed_out"))
        died += bool(ex.get("kernel_died"))
        for e in {e["ename"] for e in ex.get("errors", [])}:
            cell_errors[e] += 1
    n = len(graded)
    return {
        "submissions": len(docs),
        "graded": n,
        "unreadable": len(docs) - n,
        "score": {
            "mean": round(statistics.fmean(scores), 6) if scores else None,
            "median": statistics.median(scores) if scores else None,
            "min": min(scores, default=None),
            "max": max(scores, default=None),
            "max_score": max_score,
            "full_marks": sum(1 for s in scores if max_score and s >= max_score),
            "histogram": _histogram(scores, max_score),
        },
        "checks": _ranked(checks, n),
        "blocks": _ranked(blocks, n),
        "diagnoses": _ranked(diagnoses, n),
        "execution": {"timed_out": timed_out, "kernel_died": died, "cell_errors": _ranked(cell_errors, n)},
    }


def render(summary: dict, *, top: int = 5) -> str:
    """A short plain-text table of the summary."""
    s = summary["score"]
    lines = [f"Class summary: {summary['submissions']} submissions, {summary['graded']} graded, "
             f"{summary['unreadable']} not readable as notebooks."]
    if s["mean"] is None:
        return lines[0]
    lines.append(f"  score   mean {s['mean']:.2f}  median {s['median']:g}  min {s['min']:g}  max {s['max']:g}"
                 f"  (of {s['max_score']:g}; {s['full_marks']} full marks)")
    peak = max((b["count"] for b in s["histogram"]), default=0) or 1
    for b in s["histogram"]:
        bar = "#" * round(20 * b["count"] / peak)
        lines.append(f"  {b['low']:>5g}-{b['high']:<5g} {b['count']:>4}  {bar}")
    for title, key in (("failing checks", "checks"), ("failing blocks", "blocks"), ("diagnoses", "diagnoses")):
        rows = summary[key][:top]
        if not rows:
            continue
        lines.append(f"  most {title}:")
        lines += [f"    {r['name']}: {r['count']} of {r['of']}" for r in rows]
    return "\n".join(lines)
