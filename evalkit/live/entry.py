"""The live entry workflow without widgets: one typed box decided and recorded.

Every place a score is typed during the show — the secretary's grid, a judge's
phone page, a script or the CLI — goes through :class:`Desk`, so each rule of the
workflow exists once, here:

1. the text is read by :func:`evalkit.numbers.read_number` and the value checked by
   the store's own checks (:func:`evalkit.scores.check_entry`: known keys, no
   conflict of interest (回避), inside the scale) — :func:`read_box`;
2. a locked round takes nothing;
3. an unchanged value makes no event;
4. a correction of a saved score needs a reason (the secretary's; a judge corrects
   their own sheet without one);
5. a value that puts the judge's total out of line with the panel
   (:func:`evalkit.live.outliers.out_of_line`) is recorded only once confirmed
   (the secretary's desk asks; a judge's phone never does);
6. the value is recorded (the store checks again inside its transaction).

The answer is an :class:`EntryResult`: a state, a message key of the workbench's
table (``evalkit.ui.messages``) with its parameters, the value and the event. It
holds no text in any language: a page shows ``t(result.key, lang,
**result.params_in(lang))``; a script reads ``state`` and ``value``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..display import format_score
from ..errors import EvalkitError, ScoreError
from ..numbers import read_number
from ..scores import check_entry, check_score
from .outliers import OutOfLine, out_of_line


@dataclass(frozen=True)
class Box:
    """One typed box read: ``value`` (None when not read), ``problem`` ('' when the
    value is allowed; 'empty', 'not_number', 'ambiguous' from read_number; 'scale'
    when the rubric refuses it, ``error`` then says why)."""
    value: float | None
    problem: str = ""
    error: ScoreError | None = None


def read_box(rubric, criterion: str, text) -> Box:
    """The one reading of a typed score: the number (read_number), then the rubric's
    scale (check_score). Used by every entry path (:class:`Desk`,
    :func:`evalkit.live.sheet.read_sheet`)."""
    reading = read_number(text)
    if not reading.ok:
        return Box(None, reading.problem)
    try:
        return Box(check_score(rubric, criterion, reading.value))
    except ScoreError as exc:
        return Box(reading.value, "scale", exc)


@dataclass(frozen=True)
class EntryResult:
    """What became of one entry.

    ``state``: 'ok' (recorded, or unchanged), 'error' (refused, nothing written),
    'confirm' (out of line: nothing written until confirmed) or '' (an empty box
    with nothing saved: nothing to say). ``key``/``params``: the message (a key of
    the workbench's table; a parameter that differs by language is a
    ``{"zh", "en"}`` dict, see :meth:`params_in`). ``value``: the value read (None
    when the text was not read); ``far``: the :class:`OutOfLine` to confirm;
    ``event``: what the store recorded (None when nothing was written)."""
    state: str
    key: str = ""
    params: dict = field(default_factory=dict)
    value: float | None = None
    far: OutOfLine | None = None
    event: dict | None = None

    @property
    def recorded(self) -> bool:
        return self.event is not None

    def params_in(self, lang: str) -> dict:
        """The parameters for a page in ``lang`` (bilingual ones picked)."""
        return {k: (v.get(lang) or v.get("zh")) if isinstance(v, dict) else v for k, v in self.params.items()}


def refused(exc: EvalkitError, value: float | None = None) -> EntryResult:
    """A refusal by the store or the contest's checks: its own text in both languages."""
    return EntryResult("error", "refused", {"text": {"zh": exc.text("zh"), "en": exc.text("en")}}, value)


def saved_value(scores, judge: str, project: str, criterion: str) -> float | None:
    """The score now saved for (judge, project, criterion) in ``scores`` (one round's
    current table), or None."""
    if scores is None or not len(scores):
        return None
    hit = scores[(scores["judge"] == judge) & (scores["project"] == project) & (scores["criterion"] == criterion)]
    return float(hit["score"].iloc[-1]) if len(hit) else None


def _label(rubric, criterion: str) -> dict:
    return {lang: rubric.label(criterion, lang) for lang in ("zh", "en")}


class Desk:
    """Where scores are typed: the secretary's desk (``Desk(store, contest)``) or one
    judge's page (``Desk(store, contest, session=store.judge_session(token))``).

    ``contest``: the running contest (its rule's decimals and its panels, see
    :func:`evalkit.live.settings.running_contest`); default ``store.contest``. A
    judge's desk records through the session (the store checks the token), needs
    no reason for a correction and never asks about an out-of-line total.
    """

    def __init__(self, store, contest=None, *, session=None):
        self.store = store
        self.contest = contest if contest is not None else store.contest
        self.session = session

    @property
    def by_judge(self) -> bool:
        return self.session is not None

    def _round(self, round) -> str:
        return self.store.current()[1] if round is None else str(round)

    def _scores(self, round_id: str):
        sc = self.session.scores() if self.by_judge else self.store.scores(round=round_id)
        return sc[sc["round"] == round_id] if "round" in sc.columns else sc

    # --- one box ------------------------------------------------------------------
    def enter(self, judge: str, project: str, criterion: str, text, *, round=None, reason: str | None = None,
              scores=None, required: bool = False) -> EntryResult:
        """Decide and, when allowed, record the text typed for (judge, project,
        criterion). ``scores``: the round's current table when the caller has it
        (default: read from the store); ``reason``: the reason given for a
        correction; ``required``: an empty box is an error (a submitted sheet)."""
        round_id = self._round(round)
        if scores is None:
            scores = self._scores(round_id)
        old = saved_value(scores, judge, project, criterion)
        box = read_box(self.contest.rubric, criterion, text)
        if box.problem == "empty":
            if required:
                return EntryResult("error", "fill_in")
            return EntryResult("", "") if old is None else EntryResult("error", "empty", value=old)
        if box.problem in ("not_number", "ambiguous"):
            return EntryResult("error", box.problem)
        if self.by_judge and judge != self.session.judge:
            return EntryResult("error", "bad_link", value=box.value)
        try:
            check_entry(self.contest, judge, project, criterion)   # known keys, no conflict of interest
        except ScoreError as exc:
            return refused(exc, box.value)
        if box.error is not None:
            return refused(box.error, box.value)
        return self._decide(judge, project, criterion, box.value, old, round_id, reason, ask=not self.by_judge,
                            scores=scores)

    def _decide(self, judge, project, criterion, value, old, round_id, reason, *, ask, scores=None) -> EntryResult:
        """Rules 2-6 of the module's list, each stated once, on a value already read."""
        if self.store.is_locked(round_id):
            return EntryResult("error", "locked", value=value)
        if old == value:
            return EntryResult("ok", "saved", value=value)            # unchanged: no event
        reason = (reason or "").strip() or None
        if old is not None and reason is None and not self.by_judge:
            return EntryResult("error", "needs_reason", value=value)  # a correction needs a reason
        if ask:
            far = out_of_line(scores, self.contest, judge, project, criterion, value)
            if far is not None:
                return self.asking(far)                               # out of line: asked, nothing written
        return self._record(judge, project, criterion, value, round_id, reason if old is not None else None)

    def asking(self, far: OutOfLine) -> EntryResult:
        """The question for an out-of-line value (nothing is written)."""
        contest = self.contest
        rubric, dec = contest.rubric, contest.rubric.rule.decimals
        name = contest.judges.set_index("id").loc[far.judge, "name"]
        params = dict(judge=name, criterion=_label(rubric, far.criterion), value=f"{far.value:g}",
                      total=format_score(far.total, dec), n=far.others,
                      low=format_score(max(far.low, 0.0), dec), high=format_score(min(far.high, rubric.total_max), dec),
                      median=format_score(far.median, dec))
        return EntryResult("confirm", "confirm_out_of_line", params, far.value, far)

    def confirm(self, far: OutOfLine, *, round=None, reason: str | None = None) -> EntryResult:
        """Record an out-of-line value the secretary confirmed (every other rule is
        checked again: the store may have changed since the question)."""
        round_id = self._round(round)
        old = saved_value(self._scores(round_id), far.judge, far.project, far.criterion)
        return self._decide(far.judge, far.project, far.criterion, far.value, old, round_id, reason, ask=False)

    def _record(self, judge, project, criterion, value, round_id, reason) -> EntryResult:
        try:
            if self.by_judge:
                events = self.session.submit(project, {criterion: value}, round=round_id)["events"]
                if not events:                   # saved meanwhile (another page of the judge's): no event
                    return EntryResult("ok", "saved", value=value)
                event = events[0]
            else:
                event = self.store.record(judge, project, criterion, value, round=round_id, reason=reason)
        except EvalkitError as exc:
            return refused(exc, value)
        return EntryResult("ok", "saved_value", {"value": value}, value, event=event)

    # --- withdrawing a score ---------------------------------------------------------
    def retract(self, judge: str, project: str, criterion: str, *, round=None,
                reason: str | None = None) -> EntryResult:
        """Withdraw a saved score (a new event with its reason; the old value stays in
        the history). The secretary's only; the store asks for the reason."""
        if self.by_judge:
            return EntryResult("error", "bad_link")
        try:
            event = self.store.retract(judge, project, criterion, round=self._round(round),
                                       reason=(reason or "").strip() or None)
        except EvalkitError as exc:
            return refused(exc)
        names = dict(zip(self.contest.judges["id"], self.contest.judges["name"]))
        return EntryResult("ok", "retracted", dict(judge=names.get(judge, judge),
                                                  criterion=_label(self.contest.rubric, criterion)), event=event)
