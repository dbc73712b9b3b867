"""evalkit._params: every public analysis function checks its shared arguments the same
way (ParameterError naming the function and the argument, with a Chinese text) and
accepts the aliases of the shared vocabulary with the same result as the canonical name."""
import numpy as np
import pandas as pd
import pytest

import evalkit as ek
from evalkit.agreement import (brennan_prediger, cohen_kappa, fleiss_kappa, gwet_ac, icc, judges, kendall_w,
                               krippendorff_alpha, outliers)
from evalkit.allocate import allocate
from evalkit.errors import AllocationError, DataError, ParameterError
from evalkit.monitor.evaluations import spot_check
from evalkit.research import (counterfactual, decision_study, judge_effects, predictive_validity, rank_stability,
                              simulate_contests)
from evalkit.robustness import robustness

from conftest import ROOT

# ---------------------------------------------------------------- data

RATINGS = pd.DataFrame({"u": np.repeat(range(8), 4), "r": np.tile(list("ABCD"), 8),
                        "v": [3, 3, 2, 3, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 2, 1, 2, 1, 1, 2, 3, 2, 2,
                              3, 3, 3, 3, 1, 1, 2, 1]})
TOTALS = pd.DataFrame([(f"J{k + 1}", p, v) for p, vals in {
    "A": [90, 92, 91, 89, 90], "B": [85, 86, 84, 85, 87], "C": [80, 80, 80, 60, 60],
    "D": [65, 66, 64, 79, 80], "E": [30, 31, 29, 30, 32]}.items() for k, v in enumerate(vals)],
    columns=["judge", "project", "score"])
PROJECTS = pd.DataFrame({"project": list("ABCDE"), "requested": [40, 30, 30, 30, 20], "score": [5, 4, 3, 2, 1]})


@pytest.fixture(scope="module")
def contest():
    return ek.load_contest(ROOT / "data" / "demo-huaihe")


@pytest.fixture(scope="module")
def many():
    cs, _ = simulate_contests(2, 2, n_projects=(8, 10), n_judges=(4, 5), seed=5)
    return cs


def _agreement(func, cols):
    return lambda **kw: func(RATINGS, **dict(dict(zip(cols, ("u", "r", "v"))), **kw))


def cases(contest, many):
    """name -> (call(**overrides), the shared arguments it takes, its column arguments)."""
    sc, pr = many.scores, many.projects
    return {
        "icc": (_agreement(icc, ("targets", "raters", "ratings")), {"confidence"}, ("targets", "raters", "ratings")),
        "krippendorff_alpha": (_agreement(krippendorff_alpha, ("units", "raters", "values")),
                               {"confidence", "n_boot", "seed"}, ("units", "raters", "values")),
        "fleiss_kappa": (_agreement(fleiss_kappa, ("subjects", "raters", "ratings")), {"confidence"},
                         ("subjects", "raters", "ratings")),
        "gwet_ac": (_agreement(gwet_ac, ("subjects", "raters", "ratings")), {"confidence"},
                    ("subjects", "raters", "ratings")),
        "brennan_prediger": (_agreement(brennan_prediger, ("subjects", "raters", "ratings")), {"confidence"},
                             ("subjects", "raters", "ratings")),
        "cohen_kappa": (lambda **kw: cohen_kappa([1, 2, 3, 1, 2], [1, 2, 2, 1, 3], **kw), {"confidence"}, ()),
        "kendall_w": (_agreement(kendall_w, ("items", "raters", "ratings")), set(), ("items", "raters", "ratings")),
        "judges": (lambda **kw: judges(contest.scores, contest.rubric, **kw), set(),
                   ("judge", "project", "criterion", "value")),
        "outliers": (lambda **kw: outliers(TOTALS.rename(columns={"score": "total"}), **kw), set(), ("judge", "value")),
        "rank": (lambda **kw: ek.rank(TOTALS, method="mean", **kw), {"confidence"}, ("judge", "project", "value")),
        "compare": (lambda **kw: ek.compare(TOTALS, None, methods=["mean", "zscore"], **kw), {"confidence"},
                    ("judge", "project", "value")),
        "robustness": (lambda **kw: robustness(TOTALS, None, method="mean", budget=100, projects=PROJECTS,
                                               **dict({"n_boot": 5, "seed": 1}, **kw)),
                       {"confidence", "n_boot", "seed"}, ("judge", "project", "value")),
        "rank_stability": (lambda **kw: rank_stability(TOTALS, **dict({"n_boot": 20, "seed": 1}, **kw)),
                           {"confidence", "n_boot", "seed"}, ("judge", "project", "value")),
        "predictive_validity": (lambda **kw: predictive_validity(sc, many.outcomes, many.rubric,
                                                                 **dict({"n_boot": 20, "seed": 1}, **kw)),
                                {"confidence", "n_boot", "seed"},
                                ("contest", "judge", "project", "value", "outcome", "outcome_value")),
        "judge_effects": (lambda **kw: judge_effects(sc, many.rubric, contests=many.contests, **kw), {"confidence"},
                          ("contest", "judge", "project", "value")),
        "decision_study": (lambda **kw: decision_study(TOTALS, **kw), set(), ("judge", "project", "value")),
        "counterfactual": (lambda **kw: counterfactual(sc, pr, many.rubric, contests=many.contests, rules="greedy",
                                                       methods="mean", **kw), set(),
                           ("contest", "judge", "project", "value", "requested")),
        "simulate_contests": (lambda **kw: simulate_contests(1, 1, n_projects=(5, 5), n_judges=(3, 3),
                                                             **dict({"seed": 1}, **kw)), {"seed"}, ()),
        "allocate": (lambda **kw: allocate(PROJECTS, 100, **kw), set(), ("cost", "category", "organisation")),
        "spot_check": (lambda **kw: spot_check(list("ABCDEFG"), **dict({"seed": 1}, **kw)), {"seed"}, ()),
    }


BAD = {"confidence": ("0.95", 1.5), "n_boot": ("100", -1), "seed": ("1", -1)}


def _all_cases():
    # (function, argument) pairs, built without the fixtures (the names only)
    table = {
        "icc": ({"confidence"}, 3), "krippendorff_alpha": ({"confidence", "n_boot", "seed"}, 3),
        "fleiss_kappa": ({"confidence"}, 3), "gwet_ac": ({"confidence"}, 3), "brennan_prediger": ({"confidence"}, 3),
        "cohen_kappa": ({"confidence"}, 0), "kendall_w": (set(), 3), "judges": (set(), 4), "outliers": (set(), 2),
        "rank": ({"confidence"}, 3), "compare": ({"confidence"}, 3),
        "robustness": ({"confidence", "n_boot", "seed"}, 3), "rank_stability": ({"confidence", "n_boot", "seed"}, 3),
        "predictive_validity": ({"confidence", "n_boot", "seed"}, 6), "judge_effects": ({"confidence"}, 4),
        "decision_study": (set(), 3), "counterfactual": (set(), 5), "simulate_contests": ({"seed"}, 0),
        "allocate": (set(), 3), "spot_check": ({"seed"}, 0),
    }
    shared = [(f, a) for f, (args, _) in table.items() for a in sorted(args)]
    columns = [(f, i) for f, (_, n) in table.items() for i in range(n)]
    return table, shared, columns


TABLE, SHARED, COLUMNS = _all_cases()


def _check(info, func, arg):
    err = info.value
    assert isinstance(err, ParameterError) and isinstance(err, DataError)
    assert err.key == arg and err.where == func
    assert f"{func}()" in err.message and f"'{arg}'" in err.message
    assert err.zh and f"{func}()" in err.zh and arg in err.zh and "应为" in err.zh
    assert err.text("zh") == err.zh and err.text("en") == err.message


@pytest.mark.parametrize("func,arg", SHARED)
@pytest.mark.parametrize("which", [0, 1], ids=["mistyped", "out_of_range"])
def test_shared_argument_gives_parameter_error(contest, many, func, arg, which):
    call, args, _ = cases(contest, many)[func]
    assert args == TABLE[func][0]
    with pytest.raises(ParameterError) as info:
        call(**{arg: BAD[arg][which]})
    _check(info, func, arg)
    assert repr(BAD[arg][which]) in str(info.value)


@pytest.mark.parametrize("func,i", COLUMNS)
def test_missing_column_gives_parameter_error(contest, many, func, i):
    call, _, cols = cases(contest, many)[func]
    assert len(cols) == TABLE[func][1]
    with pytest.raises(ParameterError) as info:
        call(**{cols[i]: "no_such_column"})
    _check(info, func, cols[i])
    assert "column" in info.value.message and "列名" in info.value.zh


def test_every_function_runs_with_its_defaults(contest, many):
    # the cases above are refused for the argument only: the same calls work
    for name, (call, _, _) in cases(contest, many).items():
        assert call() is not None, name


def test_a_bare_type_error_no_longer_escapes():
    # issue 16: icc, krippendorff_alpha and robustness raised TypeError for confidence="0.95"
    for call in (lambda: icc(RATINGS, targets="u", raters="r", ratings="v", confidence="0.95"),
                 lambda: krippendorff_alpha(RATINGS, units="u", raters="r", values="v", confidence="0.95"),
                 lambda: robustness(TOTALS, None, method="mean", budget=100, projects=PROJECTS, confidence="0.95")):
        with pytest.raises(ParameterError):
            call()


def test_unknown_and_missing_arguments_are_parameter_errors():
    with pytest.raises(ParameterError, match="icc\\(\\)") as info:
        icc(RATINGS, targets="u", raters="r", ratings="v", confidense=0.9)
    assert "confidense" in str(info.value) and info.value.zh
    with pytest.raises(ParameterError, match="icc\\(\\)"):
        icc(RATINGS, targets="u", raters="r")
    with pytest.raises(ParameterError, match="argument 'data' must be a pandas DataFrame"):
        icc([1, 2, 3], targets="u", raters="r", ratings="v")


def test_allocate_errors_are_still_allocation_errors():
    with pytest.raises(AllocationError) as info:
        allocate(PROJECTS, "100")
    assert isinstance(info.value, ParameterError) and info.value.key == "budget"
    with pytest.raises(AllocationError) as info:
        allocate(PROJECTS, 100, rule="nope")
    assert info.value.key == "rule" and "'optimal'" in info.value.expected
    votes = TOTALS.assign(score=TOTALS["score"] / 10)
    for bad in (dict(utility="votes"), dict(completion="add2"), dict(n_voters=0), dict(scores=[1, 2])):
        with pytest.raises(AllocationError) as info:
            allocate(PROJECTS, 100, rule="mes", **dict(dict(scores=votes), **bad))
        assert isinstance(info.value, ParameterError) and info.value.key == next(iter(bad))


# ---------------------------------------------------------------- aliases

def _same(a, b):
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    else:
        assert a == b


def test_confidence_alias_level():
    kw = dict(targets="u", raters="r", ratings="v")
    _same(icc(RATINGS, confidence=0.8, **kw), icc(RATINGS, level=0.8, **kw))
    assert not icc(RATINGS, confidence=0.8, **kw).equals(icc(RATINGS, **kw))   # the value is used
    a, b = ek.rank(TOTALS, method="mean", confidence=0.8), ek.rank(TOTALS, method="mean", level=0.8)
    _same(a.projects, b.projects)
    assert a.confidence == a.level == 0.8
    _same(ek.compare(TOTALS, None, methods=["mean"], level=0.8), ek.compare(TOTALS, None, methods=["mean"],
                                                                          confidence=0.8))
    kw = dict(subjects="u", raters="r", ratings="v")
    f, g = fleiss_kappa(RATINGS, level=0.8, **kw), fleiss_kappa(RATINGS, confidence=0.8, **kw)
    assert (f.ci_low, f.ci_high) == (g.ci_low, g.ci_high) != (fleiss_kappa(RATINGS, **kw).ci_low,
                                                              fleiss_kappa(RATINGS, **kw).ci_high)


def test_krippendorff_level_stays_the_measurement_level():
    kw = dict(units="u", raters="r", values="v")
    nominal = krippendorff_alpha(RATINGS, level="nominal", **kw)
    assert nominal.level == "nominal" and float(nominal) != float(krippendorff_alpha(RATINGS, **kw))
    with pytest.raises(ParameterError, match="argument 'level' must be one of"):
        krippendorff_alpha(RATINGS, level=0.9, **kw)


def test_n_boot_and_seed_aliases():
    kw = dict(units="u", raters="r", values="v")
    ref = krippendorff_alpha(RATINGS, n_boot=50, seed=3, **kw)
    for alias in (dict(n=50, seed=3), dict(n_boot=50, random_state=3), dict(n_boot=50, rng=3)):
        got = krippendorff_alpha(RATINGS, **alias, **kw)
        assert (got.se, got.ci_low, got.ci_high) == (ref.se, ref.ci_low, ref.ci_high)
    gen = krippendorff_alpha(RATINGS, n_boot=50, seed=np.random.default_rng(3), **kw)
    assert gen.se == ref.se   # a Generator is a seed too
    a = robustness(TOTALS, None, method="mean", budget=100, projects=PROJECTS, n=8, seed=7, level=0.8)
    b = robustness(TOTALS, None, method="mean", budget=100, projects=PROJECTS, n_boot=8, seed=7, confidence=0.8)
    _same(a.projects, b.projects)
    assert a.n == a.n_boot == 8
    _same(rank_stability(TOTALS, n_boot=20, random_state=2, level=0.8),
          rank_stability(TOTALS, n_boot=20, seed=2, confidence=0.8))


def test_alias_and_canonical_together_are_refused():
    with pytest.raises(ParameterError, match="given once") as info:
        ek.rank(TOTALS, method="mean", level=0.9, confidence=0.9)
    assert info.value.zh
    with pytest.raises(ParameterError, match="given once"):
        robustness(TOTALS, None, method="mean", budget=100, projects=PROJECTS, n=5, n_boot=5)


def test_an_alias_error_says_how_the_argument_was_given():
    with pytest.raises(ParameterError) as info:
        ek.rank(TOTALS, method="mean", level=95)
    assert info.value.key == "confidence" and "given as 'level'" in info.value.message
    assert "以 level 给出" in info.value.zh


# ---------------------------------------------------------------- no DataFrame.attrs

def test_results_carry_no_attrs(contest, many):
    for name, (call, _, _) in cases(contest, many).items():
        out = call()
        frames = [out] if isinstance(out, pd.DataFrame) else [getattr(out, k) for k in ("projects", "judges")
                                                               if isinstance(getattr(out, k, None), pd.DataFrame)]
        for f in frames:
            assert f.attrs == {}, name


def test_parameter_error_is_part_of_the_public_api():
    # users catch it as ek.ParameterError, the same class the checks raise
    import evalkit as ek
    with pytest.raises(ek.ParameterError) as info:
        ek.agreement.icc(pd.DataFrame({"judge": ["J1"], "project": ["P1"], "score": [1.0]}),
                         targets="project", raters="judge", ratings="score", confidence="0.95")
    assert info.value.key == "confidence"
