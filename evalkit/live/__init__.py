"""The live roadshow on the venue network, without notebook kernels.

- :mod:`evalkit.live.board`: one project's board (the rule's dropped totals and
  result, anonymous names), who still owes a sheet;
- :mod:`evalkit.live.ranking`: the live leaderboard (``live_ranking``, from
  :mod:`evalkit.aggregate.ready`, which the decision record shares) and places moved;
- :mod:`evalkit.live.table`: the store's score table followed from new events;
- :mod:`evalkit.live.outliers`: whether an entry is far from the panel;
- :mod:`evalkit.live.entry`: the entry workflow (an entry, a correction with its
  reason, an out-of-line confirmation, a retraction) decided once for the
  secretary's grid, the judges' pages and scripts;
- :mod:`evalkit.live.settings`: the running contest (the contest under the
  store's settings);
- :mod:`evalkit.live.views`: what each served page shows (JSON-ready dicts built
  from the store and the core's board and ranking functions);
- :mod:`evalkit.live.sheet`: reading a judge's typed sheet (one number reading, one
  score check) into values or per-box messages in both languages;
- :mod:`evalkit.live.limits`: per-client rate limits;
- :mod:`evalkit.live.progress`: the secretary's progress board and the phones'
  presence and check-in (a file beside the store);
- :mod:`evalkit.live.remind`: the secretary's reminders as they reach a phone;
- :mod:`evalkit.live.server` (a sub-package, the only part that imports tornado): the
  server for the judges' phones and the big screen (static pages + websockets; every
  token and rule checked here), with its handlers in ``server/pages.py``,
  ``server/sockets.py``, ``server/judge_socket.py`` and what they agree on in
  ``server/protocol.py``.

The core's old path ``evalkit.roadshow`` re-exports the board, ranking, table and
outliers. The secretary's workbench stays an ipywidgets notebook bound to the laptop
(``evalkit serve`` starts both).
"""
