"""The engine against deliberately broken gradients (the bug catalog) and correct ones."""

from __future__ import annotations

import json

import numpy as np
import pytest
from mutants.backward import CATALOG, make_problem

from grader import Tolerances
from grader import check_gradients
from grader import distance
from reference import fcnet


@pytest.mark.parametrize("mutant", CATALOG, ids=lambda mu: mu.name)
def test_catalog_flags_exactly_the_broken_blocks(mutant):
    p = make_problem(mutant.dims, m=10, seed=3, lambd=mutant.lambd)
    report = check_gradients(p.cost(), p.params, mutant.mutate(p), lambd=p.lambd, m=p.m)
    assert not report.passed
    assert set(report.failing) == set(mutant.expect)
    for key, (kind, factor) in mutant.expect.items():
        diag = report.blocks[key].diagnosis
        assert diag.kind == kind, (key, diag)
        assert key in diag.text
        if factor is not None:
            assert diag.factor == pytest.approx(factor, rel=0.01)
    for key, block in report.blocks.items():
        if key not in mutant.expect:
            assert block.status == "pass" and block.diagnosis is None


@pytest.mark.parametrize("lambd", [0.0, 0.7])
def test_correct_gradients_pass_on_100_seeds(lambd):
    worst = 0.0
    for seed in range(100):
        dims = [(4, 5, 3, 1), (2, 20, 3, 1), (3, 4, 4, 3)][seed % 3]
        output = "softmax" if dims[-1] > 1 else "sigmoid"
        p = make_problem(dims, m=8, seed=seed, lambd=lambd, output=output)
        report = check_gradients(p.cost(), p.params, p.grads(), lambd=lambd, m=p.m)
        assert report.passed, (seed, report.failing, [b.message for b in report.blocks.values()])
        worst = max(worst, report.relative_error)
    assert worst <= 1e-8


def test_exact_messages_for_scale_and_missing_l2():
    p = make_problem(lambd=0.7)
    g = p.grads()
    g["dW2"] = 2 * g["dW2"]
    g["dW3"] = p.cost(lambd=0.0).gradients(p.params)["dW3"]
    r = check_gradients(p.cost(), p.params, g, lambd=0.7, m=p.m)
    assert r.blocks["dW2"].diagnosis.text == "dW2 is 2.00× the true gradient: look for an extra factor of 2."
    assert r.blocks["dW3"].diagnosis.text == (
        "dW3 is missing the L2 term: it equals the true gradient minus 0.07·W3 (λ/m = 0.7/10 = 0.07); "
        "add (lambd / m) * W3."
    )
    # The failing block lists its worst entries and the message names the first.
    worst = r.blocks["dW2"].worst
    assert worst and str(worst[0].index) in r.blocks["dW2"].message
    assert worst[0].student == pytest.approx(2 * worst[0].numerical, rel=1e-6)


def test_extra_l2_named():
    p = make_problem(lambd=0.7)
    g = p.grads()
    g["dW1"] = g["dW1"] + 0.7 / p.m * p.params["W1"]
    r = check_gradients(p.cost(), p.params, g, lambd=0.7, m=p.m)
    assert r.failing == ("dW1",)
    assert r.blocks["dW1"].diagnosis.kind == "extra_l2"
    assert r.blocks["dW1"].diagnosis.factor == pytest.approx(0.07, rel=0.01)


def test_unknown_bug_in_lower_layer_points_at_the_top():
    p = make_problem()
    g = p.grads()
    rng = np.random.default_rng(0)
    g["dW3"] = g["dW3"] + rng.standard_normal(g["dW3"].shape)
    g["dW1"] = g["dW1"] + rng.standard_normal(g["dW1"].shape)
    r = check_gradients(p.cost(), p.params, g, m=p.m)
    assert r.blocks["dW1"].diagnosis.kind == "unknown"
    assert any("fix layer 3 first" in n for n in r.notes)


def test_relative_error_none_when_a_block_cannot_be_compared():
    p = make_problem()
    g = p.grads()
    del g["db1"]
    r = check_gradients(p.cost(), p.params, g)
    assert r.relative_error is None
    assert r.blocks["db1"].method == "none" and r.blocks["db1"].evaluations == 0


def test_not_a_mapping_of_grads_fails_every_block_as_type():
    p = make_problem()
    r = check_gradients(p.cost(), p.params, [1, 2, 3])
    assert {b.diagnosis.kind for b in r.blocks.values()} == {"type"}
    assert "a list, not a dict" in r.blocks["dW1"].diagnosis.text


def test_extra_keys_ignored_and_float32_compared():
    p = make_problem()
    g = {k: v.astype(np.float32) for k, v in p.grads().items()}
    g["something_else"] = "x"
    r = check_gradients(p.cost(), p.params, g)
    assert r.passed
    assert list(r.blocks) == ["dW1", "db1", "dW2", "db2", "dW3", "db3"]


def test_plain_callable_cost_works_without_extras():
    p = make_problem(hidden="tanh")
    net = p.cost()
    r = check_gradients(lambda params: net(params), p.params, p.grads())
    assert r.passed and r.relative_error < 1e-8


def test_kinks_are_excluded_and_reported():
    # A ReLU unit sitting exactly on its kink for one example: +-eps flips it.
    p = make_problem()
    params = {k: v.copy() for k, v in p.params.items()}
    z = params["W1"][0] @ p.X[:, 0]
    params["b1"][0, 0] = -z + 1e-7
    net = p.cost()
    r = check_gradients(net, params, net.gradients(params))
    assert r.passed
    assert sum(b.excluded for b in r.blocks.values()) > 0
    assert any("kink" in n for n in r.notes)


def test_large_blocks_use_the_sketch_and_catch_one_wrong_entry():
    p = make_problem((300, 40, 5, 1), m=16, seed=1)  # W1: 12,000 entries
    net = p.cost()
    g = p.grads()
    ok = check_gradients(net, p.params, g)
    assert ok.passed and ok.blocks["dW1"].method == "sketch"
    assert ok.blocks["dW1"].evaluations == 2 * Tolerances().sketch_directions
    bad = dict(g)
    bad["dW1"] = g["dW1"].copy()
    bad["dW1"][7, 123] += 10 * np.abs(g["dW1"]).max()
    r = check_gradients(net, p.params, bad)
    assert r.failing == ("dW1",)


def test_sketch_diagnoses_scale():
    p = make_problem((300, 40, 5, 1), m=16, seed=1)
    g = p.grads()
    g["dW1"] = 2 * g["dW1"]
    r = check_gradients(p.cost(), p.params, g)
    assert r.blocks["dW1"].diagnosis.kind == "scale"
    assert r.blocks["dW1"].diagnosis.factor == pytest.approx(2.0, rel=0.01)


def test_warn_band_triggers_a_recheck():
    p = make_problem()
    g = p.grads()
    g["dW2"] = g["dW2"] * (1 + 1e-6)  # distance ~5e-7: between pass_below and fail_above
    r = check_gradients(p.cost(), p.params, g)
    b = r.blocks["dW2"]
    assert b.rechecked and b.status == "warn" and r.passed
    assert "warn band" in b.message


def test_eps_override_and_tolerances_validation():
    p = make_problem()
    r = check_gradients(p.cost(), p.params, p.grads(), eps=1e-4)
    assert r.eps == 1e-4 and r.passed
    with pytest.raises(ValueError, match="pass_below"):
        Tolerances(pass_below=1e-3, fail_above=1e-5)
    with pytest.raises(ValueError, match="unknown tolerance"):
        Tolerances().merged(epsilon=1e-3)


def test_bad_params_is_a_grader_error_not_a_result():
    p = make_problem()
    with pytest.raises(TypeError):
        check_gradients(p.cost(), {}, {})
    params = dict(p.params, W1=np.full_like(p.params["W1"], np.nan))
    with pytest.raises(ValueError, match="W1"):
        check_gradients(p.cost(), params, p.grads())


def test_distance_is_the_seed_formula():
    assert distance(np.zeros(3), np.zeros(3)) == 0.0
    a, n = np.array([3.0, 4.0]), np.array([0.0, 0.0])
    assert distance(a, n) == 1.0
    assert distance([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert distance([2.0], [1.0]) == pytest.approx(1 / 3)


def test_report_is_json_serializable_and_frozen():
    p = make_problem()
    g = p.grads()
    g["dW2"][0, 0] = np.nan
    r = check_gradients(p.cost(), p.params, g)
    d = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    assert d["blocks"][2]["diagnosis"]["kind"] == "nonfinite"
    with pytest.raises(AttributeError):
        r.passed = True  # type: ignore[misc]
    with pytest.raises(TypeError):
        r.blocks["dW1"] = None  # type: ignore[index]


def test_softmax_and_deep_networks():
    for dims in [(3, 4, 4, 4, 3), (2, 6, 5, 4, 3, 1)]:
        output = "softmax" if dims[-1] > 1 else "sigmoid"
        p = make_problem(dims, m=7, seed=5, output=output)
        g = p.grads()
        L = len(dims) - 1
        g[f"dW{L}"] = 3 * g[f"dW{L}"]
        r = check_gradients(p.cost(), p.params, g, m=p.m)
        assert r.failing == (f"dW{L}",)
        assert r.blocks[f"dW{L}"].diagnosis.factor == pytest.approx(3.0, rel=0.01)


def test_dropout_frozen_masks_cost_is_deterministic():
    arch = fcnet.Architecture((4, 5, 3, 1))
    X, Y = fcnet.make_data(arch, 9, 0)
    params = fcnet.init_params(arch, 0)
    masks = fcnet.make_masks(arch, 9, 0.8, 0)
    net = fcnet.NetworkCost(arch, X, Y, masks=masks, keep_prob=0.8)
    assert net(params) == net(params)
    r = check_gradients(net, params, net.gradients(params))
    assert r.passed


def test_784_128_64_10_within_500_evaluations_and_one_wrong_entry_located():
    p = make_problem((784, 128, 64, 10), m=16, seed=2, output="softmax")
    net, g = p.cost(), p.grads()
    ok = check_gradients(net, p.params, g)
    assert ok.passed and ok.evaluations <= 500
    assert {k for k, b in ok.blocks.items() if b.method == "sketch"} == {"dW1", "dW2", "dW3"}
    bad = dict(g)
    bad["dW1"] = g["dW1"].copy()
    bad["dW1"][64, 0] += 0.05 * np.abs(g["dW1"]).max()  # full-check distance ~5e-4
    r = check_gradients(net, p.params, bad)
    assert r.failing == ("dW1",)
    worst = r.blocks["dW1"].worst
    assert [e.index for e in worst] == [(64, 0)]
    assert worst[0].numerical == pytest.approx(g["dW1"][64, 0], rel=1e-4)
    assert "(64, 0)" in r.blocks["dW1"].message


@pytest.mark.parametrize("mutant", [mu for mu in CATALOG if mu.dims == (4, 5, 3, 1)], ids=lambda mu: mu.name)
def test_sketch_gives_the_same_verdicts_as_the_full_check(mutant):
    p = make_problem(mutant.dims, m=10, seed=3, lambd=mutant.lambd)
    grads = mutant.mutate(p)
    full = check_gradients(p.cost(), p.params, grads, lambd=p.lambd, m=p.m)
    sketchy = check_gradients(p.cost(), p.params, grads, lambd=p.lambd, m=p.m,
                              tolerances=Tolerances(sketch_above=1, sketch_directions=6))
    # every block of more than one entry is sketched (db3 has exactly one)
    assert all(b.method in ("sketch", "none") for k, b in sketchy.blocks.items() if k != "db3")
    assert sketchy.failing == full.failing
    for key in full.failing:
        assert sketchy.blocks[key].diagnosis.kind == full.blocks[key].diagnosis.kind, key


def test_budget_decides_what_is_sketched():
    p = make_problem((2, 20, 3, 1))  # 60 + 20 + 60 + 3 + 3 + 1 = 147 entries: 294 evaluations in full
    assert all(b.method == "full" for b in check_gradients(p.cost(), p.params, p.grads()).blocks.values())
    tight = check_gradients(p.cost(), p.params, p.grads(), tolerances=Tolerances(budget=100, sketch_directions=4))
    # largest first: dW1 (294 -> 182), dW2 (-> 70), then it fits
    assert {k for k, b in tight.blocks.items() if b.method == "sketch"} == {"dW1", "dW2"}
