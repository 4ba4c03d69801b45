"""Class analytics: score distribution and the most frequent failures, scale factors grouped."""

from __future__ import annotations

import pytest

from grader.report import analytics


def _block(name: str, kind: str | None = None, factor: float | None = None) -> dict:
    return {"name": name, "status": "fail" if kind else "pass",
            "diagnosis": {"kind": kind, "factor": factor, "text": ""} if kind else None}


def _doc(score: float, blocks: list[dict], status: str = "graded") -> dict:
    failing = any(b["status"] == "fail" for b in blocks)
    return {"status": status, "score": score, "max_score": 10.0, "execution": None,
            "checks": [{"name": "N-D backward gradients", "status": "fail" if failing else "pass", "blocks": blocks},
                       {"name": "N-D forward", "status": "pass", "blocks": []}]}


@pytest.mark.parametrize("factor, text", [(3.98, "4"), (4.02, "4"), (0.502, "0.5"), (1.37, "1.4"), (-1.0, "-1"), (8.0, "8")])
def test_round_factor(factor, text):
    assert analytics.round_factor(factor) == text


def test_summary_groups_rounded_scale_factors_and_ranks_failures():
    docs = [_doc(9, [_block("dW1"), _block("db1", "scale", 3.98)]),
            _doc(9, [_block("db1", "scale", 4.01)]),
            _doc(8, [_block("dW2", "transposed"), _block("db1", "scale", 2.0)]),
            _doc(10, [_block("db1")]),
            _doc(0, [], status="error")]
    s = analytics.summarize(docs)
    assert (s["submissions"], s["graded"], s["unreadable"]) == (5, 4, 1)
    assert s["score"]["min"] == 0 and s["score"]["max"] == 10 and s["score"]["median"] == 9
    assert s["score"]["full_marks"] == 1
    assert sum(b["count"] for b in s["score"]["histogram"]) == 5
    assert s["score"]["histogram"][-1]["count"] == 3  # 9, 9 and 10 fall in the top bin
    assert s["diagnoses"][0] == {"name": "N-D backward gradients → db1 scaled ×4", "count": 2, "of": 4}
    assert s["blocks"][0] == {"name": "N-D backward gradients → db1", "count": 3, "of": 4}
    assert s["checks"] == [{"name": "N-D backward gradients", "count": 3, "of": 4}]
    table = analytics.render(s)
    assert "N-D backward gradients → db1 scaled ×4: 2 of 4" in table
    assert "median 9" in table


def test_empty_batch_renders_one_line():
    s = analytics.summarize([])
    assert s["score"]["mean"] is None
    assert analytics.render(s).startswith("Class summary: 0 submissions")
