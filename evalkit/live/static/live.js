// evalkit live pages: the connection (reconnecting, with a plain notice), the page's
// language, and reading typed numbers. Texts from data are always set as text
// (textContent), never as markup.
"use strict";
var EK = (function () {
  var FULL = {"０":"0","１":"1","２":"2","３":"3","４":"4","５":"5","６":"6","７":"7","８":"8","９":"9",
              "．":".","，":",","＋":"+","－":"-","\u3000":" "};
  // The same rules as evalkit/numbers.py read_number (a test runs one table of cases through both).
  function readNumber(text) {
    if (text === null || text === undefined) return {value: null, problem: "empty"};
    var s = String(text).replace(/[０-９．，＋－\u3000]/g, function (c) { return FULL[c]; }).trim();
    s = s.replace(/\s*分$/, "").trim();
    if (s === "") return {value: null, problem: "empty"};
    if (s.indexOf(",") >= 0) {
      if (s.indexOf(".") >= 0 || s.split(",").length > 2) return {value: null, problem: "not_number"};
      var parts = s.split(",");
      if (parts[1].length === 3 && /^[+-]?[0-9]+$/.test(parts[0])) return {value: null, problem: "ambiguous"};
      s = parts[0] + "." + parts[1];
    }
    if (!/^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/.test(s)) return {value: null, problem: "not_number"};
    return {value: parseFloat(s), problem: ""};
  }
  function lang() {
    var q = new URLSearchParams(location.search).get("lang");
    if (q === "en" || q === "zh") return q;
    try { return localStorage.getItem("evalkit-lang") || "zh"; } catch (e) { return "zh"; }
  }
  function setLang(l) { try { localStorage.setItem("evalkit-lang", l); } catch (e) {} }
  function tr(pair, l) { if (!pair) return ""; return (l === "en" ? (pair.en || pair.zh) : (pair.zh || pair.en)) || ""; }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function randomId() {
    // crypto.randomUUID needs a secure context; venue pages are plain http
    var b = new Uint8Array(16); crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }
  // A websocket that reconnects with back-off; onstatus(true/false) tells the page.
  function connect(path, handlers) {
    var ws = null, delay = 500, closedForGood = false, everOpen = false;
    function open() {
      var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
      ws = new WebSocket(url);
      ws.onopen = function () { delay = 500; everOpen = true; handlers.status(true); handlers.open(); };
      ws.onmessage = function (ev) {
        var msg; try { msg = JSON.parse(ev.data); } catch (e) { return; }
        handlers.message(msg);
      };
      ws.onclose = function (ev) {
        if (ev.code === 4403) { closedForGood = true; handlers.status(false, "bad_link"); return; }
        handlers.status(false);
        if (!closedForGood) setTimeout(open, delay);
        delay = Math.min(delay * 2, 5000);
      };
    }
    open();
    return {
      send: function (obj) {
        if (ws && ws.readyState === 1) { ws.send(JSON.stringify(obj)); return true; }
        return false;
      },
      isOpen: function () { return !!ws && ws.readyState === 1; },
      everOpen: function () { return everOpen; }
    };
  }
  var WORDS = {
    offline: ["连接已断开，正在重连…", "Connection lost, reconnecting…"],
    reload: ["页面已更新，请刷新本页", "The page was updated: please reload"],
    bad_link: ["链接无效或已更换，请向评审秘书索取新链接", "This link is not valid (any more): ask the secretary"],
    lang: ["English", "中文"]
  };
  function colon(l) { return l === "en" ? ": " : "："; }
  function word(key, l) { var w = WORDS[key]; return l === "en" ? w[1] : w[0]; }
  function halfUp(x, d) {
    var f = Math.pow(10, d);
    return (Math.round(x * f + (x >= 0 ? 1e-9 : -1e-9)) / f).toFixed(d);
  }
  return {readNumber: readNumber, lang: lang, setLang: setLang, tr: tr, el: el, randomId: randomId,
          connect: connect, word: word, halfUp: halfUp, colon: colon};
})();
