"""evalkit agreement PATH [--target R] [--json] — judges' agreement (the six ICC forms)
and how many judges reach a reliability (G-theory decision study), per contest."""
from __future__ import annotations

from ._batch import add_input_arguments, emit, load


def register(sub):
    p = sub.add_parser("agreement", help="inter-rater agreement and judges needed / 评委一致性与所需评委人数")
    add_input_arguments(p)
    p.add_argument("--target", type=float, default=0.8, help="reliability wanted (default 0.8)")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..agreement import icc
    from ..research import decision_study
    from ..research._common import judge_totals
    frames, decisions = {}, {}
    for b in load(args):
        t = judge_totals(b.scores, b.rubric, contest=None)
        frames[b.id] = icc(t, targets="project", raters="judge", ratings="total")[["type", "description", "icc",
                                                                                  "ci_low", "ci_high"]]
        ds = decision_study(b.scores, b.rubric, target=args.target)
        decisions[b.id] = ds[ds["criterion"] == "total"][["decision", "coefficient", "judges_needed", "n_judges"]]
    if args.json:
        from ._batch import records
        emit(args, frames, "agreement", {"decision_study": {k: records(v) for k, v in decisions.items()}})
        return 0
    emit(args, frames, "agreement (ICC, Shrout & Fleiss 1979)")
    emit(args, decisions, f"judges needed for reliability {args.target:g} / 达到信度所需评委人数")
    return 0
