// The big screen: follows the server's pushes; every text from data is set as text.
"use strict";
(function () {
  var W = {
    now: ["正在路演", "Now pitching"], none: ["路演即将开始", "The roadshow is about to begin"],
    progress: ["{x} / {n} 位评委已评分", "{x} of {n} judges have scored"],
    judge: ["评委{n}", "Judge {n}"],
    provisional: ["当前得分", "Score so far"], final: ["最终得分", "Final score"],
    trimmed: ["（去掉一个最高分和一个最低分）", " (highest and lowest dropped)"],
    median: ["（中位数）", " (median)"], mean: ["（平均分）", " (mean)"], sum: ["（总分）", " (sum)"],
    board: ["排行榜", "Leaderboard"], rank: ["名次", "Rank"], project: ["项目", "Project"], score: ["得分", "Score"],
    tied: ["并列", "tied"], locked: ["评分已锁定 · 结果摘要（可核验）", "Scores locked · result digest (verifiable)"]
  };
  var L = EK.lang(), view = null, board = {rows: []}, skew = 0, shown = 0;
  // the pitch timer: time since the secretary called the project, on the server's clock
  setInterval(function () {
    var t = $(".evalkit-timer");
    if (!view || !view.now || !view.since) { t.textContent = ""; return; }
    var s = Math.max(0, Math.floor((Date.now() - skew - Date.parse(view.since)) / 1000));
    t.textContent = Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
  }, 500);
  function w(key, f) { var s = W[key][L === "en" ? 1 : 0]; for (var k in (f || {})) s = s.split("{" + k + "}").join(f[k]); return s; }
  var $ = function (sel) { return document.querySelector(sel); };
  EK.connect("/ws/screen", {
    open: function () {},
    status: function (up) { var b = $(".evalkit-conn"); b.hidden = up; b.textContent = EK.word("offline", L); },
    message: function (m) {
      if (m.t === "screen") { skew = Date.now() - Date.parse(m.server_time); if (!view || view.now !== m.now) shown = 0; view = m; render(); } else if (m.t === "leaderboard") { board = m; render(); }
    }
  });
  function render() {
    if (!view) return;
    $(".evalkit-lang").textContent = EK.word("lang", L);
    $(".evalkit-contest").textContent = EK.tr(view.contest, L);
    document.body.classList.toggle("evalkit-idle", !view.now);   // no project on stage: the title card
    $(".evalkit-title").textContent = EK.tr(view.contest, L);
    $(".evalkit-round").textContent = EK.tr(view.round_label, L);
    var now = $(".evalkit-now");
    now.dataset.project = view.now || "";
    now.textContent = view.now ? w("now") + EK.colon(L) + EK.tr(view.label, L) : w("none");
    $(".evalkit-progress").textContent = view.now ? w("progress", {x: view.scored, n: view.expected}) : "";
    var boxes = $(".evalkit-screen-scores"); boxes.textContent = "";
    (view.boxes || []).forEach(function (b, i) {
      // a score that arrived since the last push is revealed with a short animation
      var d = EK.el("div", "evalkit-screen-score" + (b.dropped ? " evalkit-dropped" : "") + (i >= shown ? " evalkit-new" : ""));
      d.appendChild(EK.el("div", "evalkit-screen-alias", w("judge", {n: b.n})));
      d.appendChild(EK.el("div", "evalkit-screen-total", b.total));
      boxes.appendChild(d);
    });
    shown = (view.boxes || []).length;
    var has = view.now && view.result !== "";
    $(".evalkit-result-label").textContent = has ? w(view.final ? "final" : "provisional") + (W[view.rule] ? w(view.rule) : "") + EK.colon(L) : "";
    var res = $(".evalkit-screen-result");
    res.textContent = has ? view.result : "";
    res.classList.toggle("evalkit-final", !!view.final);
    var lb = $(".evalkit-leaderboard"); lb.textContent = "";
    if (board.rows.length) {
      lb.appendChild(EK.el("h2", null, w("board")));
      var t = EK.el("table"), head = EK.el("tr");
      [w("rank"), w("project"), w("score")].forEach(function (h) { head.appendChild(EK.el("th", null, h)); });
      t.appendChild(head);
      board.rows.forEach(function (r) {
        var tr = EK.el("tr"); tr.dataset.project = r.project;
        tr.appendChild(EK.el("td", null, String(r.rank) + (r.tied ? " " + w("tied") : "")));
        tr.appendChild(EK.el("td", null, EK.tr(r.label, L)));
        tr.appendChild(EK.el("td", "evalkit-lb-score", r.score));
        t.appendChild(tr);
      });
      lb.appendChild(t);
    }
    var dg = $(".evalkit-digest");
    dg.hidden = !view.locked;
    dg.textContent = view.locked ? w("locked") + EK.colon(L) + view.digest : "";
    if (view.locked && /^data:image\/svg\+xml/.test(view.digest_qr || "")) {
      var img = EK.el("img", "evalkit-digest-qr"); img.src = view.digest_qr; img.alt = view.digest; dg.appendChild(img);
    }
  }
  $(".evalkit-lang").addEventListener("click", function () { L = L === "en" ? "zh" : "en"; EK.setLang(L); render(); });
})();
