"""Access rules, in one place: who may do what with a store.

- The secretary: once a PIN is set (:meth:`StoreAccess.set_pin`), the secretary's
  actions (lock, unlock, corrections, settings, imports that change scores) need a
  Store opened with that PIN (:meth:`StoreAccess._require_secretary`,
  :func:`require_secretary`). The back-off after wrong PINs is :mod:`evalkit.store.backoff`.
- A judge: works through :class:`JudgeSession`, bound to the judge's random link
  token; records only for that judge, only criteria (no veto or bonus item), only a
  project that has pitched in the round; sees only :meth:`StoreAccess.visible_scores`
  (own scores, and everyone's once the round is locked).

The PIN hash and the judges' token hashes are events of the chain ("pin" with the
PIN's hash record, see :mod:`evalkit.pinhash`; "access" with a judge's token hash in
``reason``): the checks read them from the chain only, so a value written into the
file any other way is refused (TamperError), and one appended with recomputed hashes
shows after the published head digest. Stores made before this (PIN hash in
``meta``, tokens in the ``access`` table) keep working: those values are read as they
are until the first open by the secretary (with the PIN, or any open of a store
without one), which chains them, upgrades an old PIN hash and empties the old places
(meta key ``access_chained`` marks a migrated or new store).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

import pandas as pd

from .. import pinhash
from ..errors import AccessError, TamperError
from .chain import _insert_chained

TOKEN_BYTES = 24  # 192 random bits per judge link (secrets.token_urlsafe)
ACCESS_KINDS = ("pin", "access")  # events that carry the PIN hash and the judges' token hashes
ACCESS_CHAINED = "access_chained"  # meta key: the PIN and token hashes live in the chain only
PIN_HIDDEN = "（PIN哈希不显示 PIN hash not shown）"


def access_outside_chain(meta: dict, access_judges, chained: bool) -> str:
    """What a store whose PIN and token hashes live in the chain (``chained``) holds in
    the old unchained places — a value planted by editing the file ('' when nothing)."""
    if not chained:
        return ""
    found = []
    if meta.get("pin_hash") is not None:
        found.append("a PIN hash in meta ('pin_hash')")
    if access_judges:
        found.append("judge token hashes in the access table (" + ", ".join(sorted(map(str, access_judges))) + ")")
    return ("written outside the hash chain: " + " and ".join(found)) if found else ""


def has_secretary_rights(store) -> bool:
    """Whether ``store`` (a Store handle) may run the secretary's actions: it was
    opened with the PIN, or the store has none."""
    try:
        require_secretary(store, "checking the secretary's rights")
    except AccessError:
        return False
    return True


def require_secretary(store, action: str) -> None:
    """AccessError unless ``store`` carries the secretary's rights: the store's own
    check (the one its lock, settings and corrections use)."""
    store._require_secretary(action)


class StoreAccess:
    """The access part of :class:`evalkit.store.Store` (a mixin: it works through the
    Store's ``_read``, ``_write``, ``_meta``, ``_append``, ``contest`` and ``path``)."""

    # --- the PIN and the judges' token hashes, from the chain ------------------------

    def _access_state(self, c=None) -> tuple[str | None, dict[str, str], bool]:
        """(the PIN's hash record or None, {judge: token hash}, legacy) as the checks use
        them: from the chain's newest "pin" event and each judge's newest "access" event.
        ``legacy``: a store made before these were chained and not yet opened by the
        secretary — its meta ``pin_hash`` and access table are read as they are.
        TamperError when a chained store holds values in those old places."""
        def q(sql):
            return c.execute(sql).fetchall() if c is not None else self._read(sql)
        meta = dict(q(f"SELECT key, value FROM meta WHERE key IN ('pin_hash', '{ACCESS_CHAINED}')"))
        table = dict(q("SELECT judge, token_hash FROM access"))
        chained = ACCESS_CHAINED in meta or bool(q("SELECT 1 FROM events WHERE kind IN ('pin', 'access') LIMIT 1"))
        if not chained:
            return meta.get("pin_hash"), table, True
        planted = access_outside_chain(meta, table, chained)
        if planted:
            raise TamperError(planted, where=f"{self.path} (meta/access)",
                              key="pin_hash" if "PIN" in planted else "access",
                              expected="the PIN and judge token hashes only in the hash chain", found=planted,
                              zh="评分库的 PIN 哈希或评委链接哈希被写在哈希链之外（文件被改动过）")
        pin = q("SELECT reason FROM events WHERE kind = 'pin' ORDER BY seq DESC LIMIT 1")
        tokens = dict(q("SELECT judge, reason FROM events WHERE kind = 'access' ORDER BY seq"))  # newest wins
        return (pin[0][0] if pin else None), tokens, False

    @property
    def has_pin(self) -> bool:
        return self._access_state()[0] is not None

    def _check_pin(self, pin) -> bool:
        """Whether this open has the secretary's rights (AccessError for a wrong PIN).
        A successful secretary open chains a legacy store's values and upgrades a PIN
        hash made with an older algorithm or cost."""
        record, _, legacy = self._access_state()
        if record is not None:
            if pin is None:
                return False
            try:
                ok = pinhash.pin_matches(str(pin), record, self._meta("pin_salt"))
            except ValueError:
                raise TamperError("the stored PIN hash is not readable", where=str(self.path), key="pin",
                                  expected="a PIN hash record (scrypt:… or pbkdf2_sha256:…)",
                                  found=str(record)[:20], zh="评分库中保存的秘书PIN码哈希无法读取") from None
            if not ok:
                raise AccessError("wrong secretary PIN", where=str(self.path), expected="the secretary's PIN",
                                  found="another PIN", zh="秘书PIN码错误")
        if legacy or (record is not None and not pinhash.is_current(record)):
            self._chain_access(record, None if record is None else str(pin))
        return True

    def _chain_access(self, verified: str | None, pin: str | None) -> None:
        """Migrate and upgrade in one transaction: a legacy store's PIN hash (re-made with
        today's algorithm from the PIN just verified) and judge token hashes become
        events, and the old places are emptied; a chained PIN hash with an older cost is
        re-made. Nothing changes when another process got there first."""
        new_record = pinhash.make_pin_hash(pin) if pin is not None else None

        def tx(c):
            record, tokens, legacy = self._access_state(c)
            events = []
            if new_record is not None and record == verified and (legacy or not pinhash.is_current(record)):
                events.append(dict(kind="pin", reason=new_record, entered_by="migration"))
            if legacy:
                order = {j: i for i, j in enumerate(self.contest.judge_ids)}
                events += [dict(kind="access", judge=j, reason=h, entered_by="migration")
                           for j, h in sorted(tokens.items(), key=lambda jh: (order.get(jh[0], len(order)), jh[0]))]
                c.execute("DELETE FROM meta WHERE key = 'pin_hash'")
                c.execute("DELETE FROM access")
                c.execute("INSERT OR REPLACE INTO meta VALUES (?, '1')", (ACCESS_CHAINED,))
            if events:
                _insert_chained(c, events)
        self._write(tx)

    def set_pin(self, pin: str) -> None:
        """Set (or change) the secretary's PIN: at least PIN_MIN_DIGITS digits; needs
        the current PIN if any. Its slow hash is appended to the chain ("pin" event)."""
        self._require_secretary("set the PIN")
        if self.has_pin and not getattr(self, "_changing_pin", False):
            self._refuse_without_reason(None)  # after the first score: only change_pin(pin, reason)
        if not pinhash.valid_pin(pin):
            text = pin if isinstance(pin, str) else ""
            found = (f"{type(pin).__name__}" if not isinstance(pin, str) else
                     f"{len(text)} characters" + ("" if text.isascii() and text.isdigit() else ", not only digits 0-9"))
            raise AccessError(f"a PIN needs at least {pinhash.PIN_MIN_DIGITS} digits", where=str(self.path), key="pin",
                              expected=f"at least {pinhash.PIN_MIN_DIGITS} digits 0-9", found=found,
                              zh=f"PIN码须至少 {pinhash.PIN_MIN_DIGITS} 位，且只含数字 0-9")
        self._append("pin", reason=pinhash.make_pin_hash(pin), entered_by="secretary")
        self._secretary = True

    # --- the secretary's rights ---------------------------------------------------------
    def _require_recording_rights(self, by_judge: bool) -> None:
        """Recording a score for a judge: through the judge's own link (``by_judge``),
        or, once the store has a PIN, with the secretary's rights."""
        if not by_judge and self.has_pin and not self._secretary:
            raise AccessError("recording for a judge needs the secretary's PIN or the judge's own link",
                              where=str(self.path), expected="secretary PIN or judge token", found="neither",
                              zh="代评委录入评分需要秘书PIN码，或由评委通过本人的评分链接录入")

    def _require_secretary(self, action: str):
        if not self._secretary:
            raise AccessError(f"{action} needs the secretary's PIN", where=str(self.path),
                              expected="a store opened with the secretary's PIN", found="no PIN",
                              zh="此操作需要评审秘书的 PIN")

    # --- judges: links, and what a judge's page may score and see ----------------------
    def judge_tokens(self, *, renew: bool = False) -> dict[str, str]:
        """Random per-judge tokens (secretary only). Only their hashes are stored (one
        "access" event per judge), so tokens are shown once; ``renew=True`` issues new
        ones (old links stop working)."""
        self._require_secretary("issuing judge links")
        have = self._access_state()[1]
        judges = [j for j in self.contest.judge_ids if renew or j not in have]
        tokens = {j: secrets.token_urlsafe(TOKEN_BYTES) for j in judges}
        events = [dict(kind="access", judge=j, reason=self._token_hash(t), entered_by="secretary")
                  for j, t in tokens.items()]
        if events:
            self._write(lambda c: _insert_chained(c, events))
        return tokens

    def _token_hash(self, token: str) -> str:
        # tokens carry 192 random bits, so one salted SHA-256 suffices (no stretching needed)
        return hashlib.sha256((self._meta("pin_salt") + str(token)).encode()).hexdigest()

    def judge_for_token(self, token: str) -> str:
        """The judge a link's token belongs to (its newest chained token), or AccessError."""
        if not token or not isinstance(token, str):
            raise AccessError("no judge token given", where=str(self.path), expected="a judge link", found="nothing",
                              zh="缺少评委评分链接")
        wanted = self._token_hash(token)
        for judge, token_hash in self._access_state()[1].items():
            if hmac.compare_digest(str(token_hash), wanted):
                if judge not in self.contest.judge_ids:  # withdrawn (evalkit.live.amend): the link stops working
                    raise AccessError("this judge has been withdrawn", where=str(self.path), key="judge",
                                      expected="a judge of the running contest", found=judge, zh="该评委已退出本场评审")
                return judge
        raise AccessError("unknown judge token", where=str(self.path), expected="a valid judge link",
                          found="an unknown token", zh="评委评分链接无效（可能已更换）")

    def judge_session(self, token: str) -> "JudgeSession":
        """The judge's page's handle on the store (AccessError for a wrong or missing token)."""
        return JudgeSession(self, self.judge_for_token(token), token)

    def _check_judge_item(self, criterion, where):
        # veto and bonus items are the secretary's (or the panel chair's), never a judge page's
        if self.contest.rubric.item_kind(criterion) != "criterion":
            raise AccessError(f"'{criterion}' is not scored by judges", where=where, key="criterion",
                              expected="one of " + ", ".join(self.contest.rubric.criterion_ids), found=criterion,
                              zh=f"评分项 {criterion} 不由评委打分（否决项和加分项由秘书录入）")

    @staticmethod
    def _has_pitched(c, project, round_id) -> bool:
        """Whether ``project`` has been on stage in ``round_id`` (read inside a transaction)."""
        return c.execute("SELECT 1 FROM events WHERE kind='current' AND project=? AND round=? LIMIT 1",
                         (project, round_id)).fetchone() is not None

    def _refuse_unpitched(self, c, project, round_id, where):
        # a judge's page may score only what it could have shown: a project that has
        # been on stage in this round
        if not self._has_pitched(c, project, round_id):
            raise AccessError(f"project '{project}' has not pitched in round '{round_id}'", where=where, key="project",
                              expected="a project that has pitched in this round", found=project,
                              zh=f"项目 {project} 本轮（{round_id}）尚未路演")

    def visible_scores(self, judge, round=None) -> pd.DataFrame:
        """What a judge's page may show: the judge's own scores, and everyone's in a
        locked round (before the lock no judge sees another's scores)."""
        df = self.scores(round)
        if df.empty:
            return df
        locked = {r for r in set(df["round"]) if self.is_locked(r)}
        return df[(df["judge"] == str(judge)) | df["round"].isin(locked)].reset_index(drop=True)


class JudgeSession:
    """What a judge's own page may do: record and correct their own scores, see
    their own scores only, never for a conflicted project or into a locked round.
    ``store``: the :class:`evalkit.store.Store` the judge's link was checked against."""

    def __init__(self, store, judge: str, token: str):
        self.store = store
        self.judge = judge
        self._token = token

    def _check_token(self):
        # a renewed link (judge_tokens(renew=True)) ends the old page's rights at once
        if self.store.judge_for_token(self._token) != self.judge:  # pragma: no cover - tokens map to one judge
            raise AccessError("this link belongs to another judge", where=str(self.store.path),
                              expected=f"judge {self.judge}", found="another judge",
                              zh=f"此链接属于另一位评委，不是评委 {self.judge} 的")

    def record(self, project, criterion, score, reason=None, *, round=None, op=None) -> dict:
        """Record the judge's own score for ``project`` in ``round`` (default: the
        round now running) — the project and round the page showed, never whatever is
        on stage when the message arrives.

        Refused: a project the judge is conflicted with (回避), one that has not
        pitched in the round, a veto or bonus item, a locked round
        (RoundLockedError), a revoked link (AccessError)."""
        result = self.submit(project, {criterion: score}, round=round, op=op, reason=reason)
        return result["events"][0] if result["events"] else result

    def submit(self, project, scores: dict, *, round=None, op=None, reason=None) -> dict:
        """Record the judge's sheet for ``project`` (criterion -> score) in one
        transaction; see :meth:`Store.record_sheet` (``op``: the page's message id)."""
        self._check_token()
        project = str(project)
        # the conflict of interest (回避) and every key are checked by record_sheet (check_entry)
        round_id = self.store.current()[1] if round is None else round
        return self.store.record_sheet(self.judge, project, round_id, scores, op=op, entered_by=f"judge:{self.judge}",
                                       reason=reason or None, _by_judge=True)

    def scores(self) -> pd.DataFrame:
        """The judge's own current scores (every round)."""
        self._check_token()
        return self.store.scores(judge=self.judge)

    def visible_scores(self) -> pd.DataFrame:
        """Everything this judge's page may show: own scores, and everyone's in a
        locked round (see :meth:`Store.visible_scores`)."""
        self._check_token()
        return self.store.visible_scores(self.judge)

    def is_conflicted(self, project) -> bool:
        return self.store.contest.is_conflicted(self.judge, project)
