// The judge's phone page. The page sends, with every sheet, the project and round it
// showed and an id it made; it keeps the sheet (in this browser) until the server
// acknowledges that id, and sends it again after a reconnect or a reload.
"use strict";
(function () {
  var W = {
    hello: ["评委 {name}，您好", "Hello, {name}"],
    now: ["正在路演", "Now pitching"], viewing: ["您正在评", "You are scoring"],
    waiting: ["尚未开始路演，请稍候", "No project is pitching yet: please wait"],
    moved: ["{p} 已开始路演", "{p} is now pitching"], go: ["去评分", "Score it"],
    pick: ["项目", "Project"], conflict: ["您与本项目存在利益关系，须回避，不能评分。",
      "You have a conflict of interest with this project and must not score it."],
    locked: ["本轮评分已锁定", "This round is locked"],
    total: ["合计", "Total"], submit: ["提交评分", "Submit scores"],
    sending: ["正在提交…", "Submitting…"],
    queued: ["未送达：恢复连接后将自动发送", "Not delivered yet: it will be sent when the connection returns"],
    submitted: ["已提交 ✓", "Submitted ✓"], receipt: ["回执", "Receipt"],
    receipts: ["我的回执（请保留，可用于核验）", "My receipts (keep them to verify the record)"],
    scored: ["已评", "scored"], changed: ["有未提交的修改", "changes not submitted"],
    levels: ["评分说明", "Descriptors"], weight: ["权重", "weight"],
    remind: ["秘书提醒：请为 {p} 提交评分", "Reminder from the secretary: please submit your scores for {p}"],
    dismiss: ["知道了", "Dismiss"]
  };
  var L = EK.lang();
  function w(key, fields) {
    var s = W[key][L === "en" ? 1 : 0];
    for (var k in (fields || {})) s = s.split("{" + k + "}").join(fields[k]);
    return s;
  }
  var token = new URLSearchParams(location.search).get("token") || "";
  var KEY = "evalkit:" + token.slice(0, 10);
  function load(name, dflt) { try { return JSON.parse(localStorage.getItem(KEY + ":" + name)) || dflt; } catch (e) { return dflt; } }
  function save(name, v) { try { localStorage.setItem(KEY + ":" + name, JSON.stringify(v)); } catch (e) {} }
  var outbox = load("outbox", []);        // sheets sent but not acknowledged, oldest first
  var drafts = load("drafts", {});        // project -> criterion -> text typed, not yet acknowledged
  var receipts = load("receipts", {});    // project -> receipt code
  var dismissed = load("dismissed", []);  // ids of the secretary's reminders the judge dismissed
  var reminders = {};                     // project -> the secretary's reminder standing on this page
  var hello = null, state = null, viewing = null, shownFor = null, problems = {}, statusKey = null, statusExtra = "";
  var $ = function (sel) { return document.querySelector(sel); };

  var conn = EK.connect("/ws/judge?token=" + encodeURIComponent(token), {
    open: function () { outbox.forEach(function (m) { conn.send(m); }); if (outbox.length) setStatus("sending"); },
    status: function (up, why) {
      var bar = $(".evalkit-conn");
      bar.hidden = up;
      bar.textContent = why === "bad_link" ? EK.word("bad_link", L) : EK.word("offline", L);
      document.body.classList.toggle("evalkit-offline", !up);
      if (!up && outbox.length) setStatus("queued");
    },
    message: onMessage
  });

  function onMessage(m) {
    if (m.t === "hello") {
      if (hello && hello.build !== m.build) { $(".evalkit-conn").hidden = false; $(".evalkit-conn").textContent = EK.word("reload", L); }
      hello = m; render(true);
    } else if (m.t === "state") {
      var first = state === null, oldNow = state && state.now;
      state = m;
      if (viewing === null || (m.now && m.now !== oldNow && !hasDraft(viewing))) viewing = m.now;
      if (viewing && !m.projects.some(function (p) { return p.id === viewing; })) viewing = m.now;
      for (var rp in reminders) if (reminders[rp].round === m.round && sheetDone(rp)) delete reminders[rp];
      render(first || viewing !== shownFor);
    } else if (m.t === "remind") {
      if (dismissed.indexOf(m.id) >= 0 || (state && m.round === state.round && sheetDone(m.project))) return;
      var fresh = !reminders[m.project] || reminders[m.project].id !== m.id;
      reminders[m.project] = m;
      if (fresh && navigator.vibrate) { try { navigator.vibrate([200, 100, 200]); } catch (e) {} }
      renderRemind();
    } else if (m.t === "ack") {
      dropFromOutbox(m.id);
      delete reminders[m.project];
      if (m.receipt) { receipts[m.project] = m.receipt; save("receipts", receipts); }
      var d = drafts[m.project] || {};
      for (var c in m.values) { var r = EK.readNumber(d[c]); if (r.value === m.values[c] || d[c] === undefined) delete d[c]; }
      if (!Object.keys(d).length) delete drafts[m.project];
      save("drafts", drafts);
      if (m.project === viewing || !hasDraft(viewing)) {
        problems = {};
        var done = project(m.project);
        setStatus("submitted", " " + (done ? EK.tr(done.label, L).split(" ")[0] : m.project) + " · " + w("receipt") + " " + (m.receipt || ""));
      }
      render(false);
    } else if (m.t === "refused") {
      dropFromOutbox(m.id);
      if (m.project === viewing) { problems = m.errors || {}; setStatus(null, EK.tr(m.message, L), true); render(false); focusFirstProblem(); }
    } else if (m.t === "error") {
      if (m.id) dropFromOutbox(m.id);
      setStatus(null, EK.tr(m.message, L), true);
    } else if (m.t === "bad_link") {
      $(".evalkit-conn").hidden = false; $(".evalkit-conn").textContent = EK.tr(m.message, L);
    }
  }
  function sheetDone(p) { var x = project(p); return !!(x && hello && x.scored === hello.criteria.length); }
  function renderRemind() {
    var ps = Object.keys(reminders), box = $(".evalkit-remind");
    box.hidden = !ps.length;
    if (!ps.length) return;
    $(".evalkit-remind-text").textContent = w("remind", {p: ps.join(L === "en" ? ", " : "、")});
    $(".evalkit-remind-go").textContent = w("go");
    $(".evalkit-remind-close").textContent = w("dismiss");
  }
  function dropFromOutbox(id) { outbox = outbox.filter(function (m) { return m.id !== id; }); save("outbox", outbox); }
  function hasDraft(p) { return !!(p && drafts[p] && Object.keys(drafts[p]).length); }
  function project(p) { return state && state.projects.filter(function (x) { return x.id === p; })[0]; }
  function setStatus(key, extra, isError) {
    statusKey = key; statusExtra = extra || "";
    var s = $(".evalkit-status");
    s.textContent = (key ? w(key) : "") + statusExtra;
    s.classList.toggle("evalkit-status-error", !!isError);
  }

  function render(rebuild) {
    if (!hello) return;
    document.documentElement.lang = L === "en" ? "en" : "zh-CN";
    $(".evalkit-lang").textContent = EK.word("lang", L);
    $(".evalkit-contest").textContent = EK.tr(hello.contest, L);
    $(".evalkit-judge-name").textContent = w("hello", {name: hello.judge.name});
    $(".evalkit-submit").textContent = w("submit");
    if (!state) return;
    var now = $(".evalkit-now");
    var p = project(viewing);
    now.dataset.project = viewing || "";
    now.textContent = !viewing ? w("waiting") : (viewing === state.now ? w("now") : w("viewing")) + EK.colon(L) + EK.tr(p.label, L);
    var moved = $(".evalkit-moved");
    moved.hidden = !(state.now && viewing && state.now !== viewing);
    if (!moved.hidden) {
      $(".evalkit-moved-text").textContent = w("moved", {p: EK.tr(project(state.now).label, L)});
      $(".evalkit-go-now").textContent = w("go");
    }
    renderPicker();
    var conflict = !!(p && p.conflict), locked = state.locked;
    // a project the judge must not score keeps no draft: nothing of it is shown as typed or sent
    if (conflict && drafts[viewing]) { delete drafts[viewing]; save("drafts", drafts); problems = {}; }
    var banner = $(".evalkit-grid-banner");
    banner.hidden = !(conflict || locked);
    banner.textContent = conflict ? w("conflict") : (locked ? w("locked") : "");
    var submit = $(".evalkit-submit");
    submit.hidden = !viewing || conflict;
    submit.disabled = locked || conflict;
    // a confirmation stays in view when the page moves on to the project now on stage
    if (rebuild) { buildForm(); shownFor = viewing; if (statusKey !== "queued" && statusKey !== "submitted") setStatus(null, ""); }
    updateForm(conflict || locked || !viewing);
    renderReceipts();
    renderRemind();
  }
  function renderPicker() {
    var sel = $(".evalkit-project-pick");
    $(".evalkit-pick-label").textContent = w("pick");
    sel.textContent = "";
    state.projects.forEach(function (p) {
      var o = EK.el("option", null, EK.tr(p.label, L) + (p.conflict ? " · " + EK.tr({zh: "回避", en: "conflict"}, L)
        : p.scored === hello.criteria.length ? " ✓" : hasDraft(p.id) ? " · " + w("changed") : ""));
      o.value = p.id; if (p.id === viewing) o.selected = true; sel.appendChild(o);
    });
    sel.parentNode.hidden = state.projects.length < 2;
  }
  function buildForm() {
    var form = $(".evalkit-form");
    form.textContent = "";
    if (!viewing) return;
    hello.criteria.forEach(function (c, i) {
      var row = EK.el("div", "evalkit-crit");
      var label = EK.el("label", "evalkit-crit-label");
      label.appendChild(EK.el("span", "evalkit-crit-name", EK.tr(c.label, L)));
      label.appendChild(EK.el("span", "evalkit-crit-scale", c.min + "–" + c.max + " · " + w("weight") + " " + c.weight));
      var input = EK.el("input", "evalkit-cell");
      input.type = "text"; input.inputMode = "decimal"; input.dataset.col = c.id; input.id = "ek-" + i;
      input.setAttribute("enterkeyhint", i + 1 < hello.criteria.length ? "next" : "done");
      label.htmlFor = input.id;
      input.addEventListener("input", function () {
        drafts[viewing] = drafts[viewing] || {}; drafts[viewing][c.id] = input.value; save("drafts", drafts);
        delete problems[c.id]; updateForm(false);
      });
      row.appendChild(label); row.appendChild(input);
      row.appendChild(EK.el("div", "evalkit-cell-msg"));
      if (c.levels.length) {
        var det = EK.el("details", "evalkit-levels"); det.appendChild(EK.el("summary", null, w("levels")));
        c.levels.forEach(function (d) { det.appendChild(EK.el("div", "evalkit-level", d.range + EK.colon(L) + EK.tr(d.text, L))); });
        row.appendChild(det);
      }
      form.appendChild(row);
    });
  }
  function saved(cid) { var m = state.mine[viewing] || {}; return m[cid]; }
  function updateForm(disabled) {
    var total = 0, any = false;
    hello.criteria.forEach(function (c) {
      var input = document.querySelector('.evalkit-cell[data-col="' + c.id + '"]');
      if (!input) return;
      var d = drafts[viewing] || {};
      if (document.activeElement !== input) {
        var want = d[c.id] !== undefined ? d[c.id] : (saved(c.id) !== undefined ? String(saved(c.id)) : "");
        if (input.value !== want) input.value = want;
      }
      input.disabled = disabled;
      var r = EK.readNumber(input.value), msg = input.parentNode.querySelector(".evalkit-cell-msg"), text = "";
      if (problems[c.id]) text = EK.tr(problems[c.id], L);
      else if (input.value.trim() !== "" && !r.value && r.value !== 0) text = EK.tr(hello.problems[r.problem], L);
      else if (r.value !== null && (r.value < c.min || r.value > c.max)) text = EK.tr(c.scale, L);   // the server's wording
      msg.textContent = text;
      input.classList.toggle("evalkit-cell-error", !!text);
      input.classList.toggle("evalkit-cell-saved", !text && saved(c.id) !== undefined && d[c.id] === undefined);
      if (r.value !== null && !text) { total += c.weight * (r.value - c.min) / (c.max - c.min); any = true; }
    });
    $(".evalkit-total").textContent = viewing ? w("total") + " " + (any ? EK.halfUp(total, 2) : "–") + " / " + hello.rule_total : "";
  }
  function focusFirstProblem() {
    var bad = document.querySelector(".evalkit-cell-error");
    if (bad) { bad.scrollIntoView({block: "center"}); bad.focus(); }
  }
  function renderReceipts() {
    var box = $(".evalkit-receipts"); box.textContent = "";
    var keys = Object.keys(receipts).filter(function (p) { return project(p); });
    if (!keys.length) return;
    box.appendChild(EK.el("div", "evalkit-receipts-title", w("receipts")));
    keys.forEach(function (p) { box.appendChild(EK.el("div", "evalkit-receipt", EK.tr(project(p).label, L) + EK.colon(L) + receipts[p])); });
  }

  $(".evalkit-submit").addEventListener("click", function () {
    if (!state || !viewing) return;
    var values = {}, bad = false;
    hello.criteria.forEach(function (c) {
      var input = document.querySelector('.evalkit-cell[data-col="' + c.id + '"]');
      values[c.id] = input.value;
      var r = EK.readNumber(input.value);
      if (r.value === null) { problems[c.id] = hello.problems[r.problem]; bad = true; }
    });
    if (bad) { updateForm(false); setStatus(null, EK.tr({zh: "请修改标红的项", en: "Please correct the boxes marked in red"}, L), true); focusFirstProblem(); return; }
    drafts[viewing] = values; save("drafts", drafts);
    var msg = {t: "submit", id: EK.randomId(), project: viewing, round: state.round, values: values};
    outbox.push(msg); save("outbox", outbox);
    setStatus(conn.send(msg) ? "sending" : "queued");
  });
  $(".evalkit-project-pick").addEventListener("change", function (e) { viewing = e.target.value; problems = {}; render(true); });
  $(".evalkit-go-now").addEventListener("click", function () { viewing = state.now; problems = {}; render(true); });
  $(".evalkit-remind-go").addEventListener("click", function () {
    var p = Object.keys(reminders)[0];
    if (p && project(p)) { viewing = p; problems = {}; render(true); }
  });
  $(".evalkit-remind-close").addEventListener("click", function () {
    for (var p in reminders) dismissed.push(reminders[p].id);
    dismissed = dismissed.slice(-200); save("dismissed", dismissed);
    reminders = {}; renderRemind();
  });
  $(".evalkit-lang").addEventListener("click", function () { L = L === "en" ? "zh" : "en"; EK.setLang(L); render(true); });
})();
