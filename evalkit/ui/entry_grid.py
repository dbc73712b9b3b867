"""A score entry grid with real <input> elements (offline, testable by label, big
enough for a projector). Rows are judges (or the one judge on a phone), columns are
criteria with the scale's min/max/step and the level descriptors as hints.

Each committed cell (change or Enter) is sent to Python as an ``entry`` with the raw
text typed (the boxes are text boxes with a decimal keypad, not number boxes: a
browser's number box turns '8,5' into '' or 85 before anyone can read it; the owner
has it decided by ``evalkit.live.entry.Desk``, which reads it with
``evalkit.numbers.read_number``). The owner's
``on_entry(row, col, text) -> (state, text)`` saves it and the answer is shown beside
the cell (``acks``): 'ok', 'error' or 'confirm'; a refused or unconfirmed text stays
in its box (never silently replaced by the saved value). With ``submit_label`` a
button sends every cell at once (``on_submit(values)``, the judge's phone page).
"""
from __future__ import annotations

import anywidget
import traitlets

_ESM = r"""
function key(r, c) { return r + "|" + c; }
function render({ model, el }) {
  el.classList.add("evalkit-grid");
  const inputs = new Map(), acks = new Map();
  function commit(input) {
    model.send({ type: "entry", row: input.dataset.row, col: input.dataset.col, value: input.value });
  }
  let drawnContext = null;
  function draw() {
    // keep what was typed but not yet saved when the grid is redrawn for the same
    // project (another judge's score arriving must not wipe a half-filled sheet)
    const typed = new Map();
    if (drawnContext === model.get("context")) {
      const values = model.get("values");
      for (const [k, input] of inputs) {
        if (input.value !== "" && String(values[k]) !== input.value) typed.set(k, input.value);
      }
    }
    drawnContext = model.get("context");
    el.innerHTML = ""; inputs.clear(); acks.clear();
    const rows = model.get("rows"), cols = model.get("cols"), form = model.get("layout") === "form";
    const locked = model.get("locked");
    const banner = model.get("banner");
    if (banner) {
      const b = document.createElement("div");
      b.className = "evalkit-grid-banner"; b.textContent = banner; el.appendChild(b);
    }
    // texts from data files (labels, descriptors) are set as text, never as markup
    function div(cls, text) {
      const d = document.createElement("div");
      if (cls) d.className = cls;
      d.textContent = text; return d;
    }
    const table = document.createElement("table");
    table.className = form ? "evalkit-grid-form" : "evalkit-grid-table";
    if (!form) {
      const head = table.insertRow();
      head.appendChild(document.createElement("th"));
      for (const c of cols) {
        const th = document.createElement("th");
        th.appendChild(div("", c.label)); th.appendChild(div("evalkit-grid-scale", `${c.min}–${c.max}`));
        th.title = c.hint || ""; head.appendChild(th);
      }
    }
    function cell(r, c, td) {
      const input = document.createElement("input");
      // a text box: the raw text reaches Python (a number box would drop '8,5' or read 85)
      input.type = "text"; input.autocomplete = "off"; input.spellcheck = false;
      input.dataset.min = c.min; input.dataset.max = c.max;
      input.className = "evalkit-cell"; input.dataset.row = r.id; input.dataset.col = c.id;
      input.setAttribute("aria-label", r.label + " " + c.label);
      input.title = c.hint || "";
      input.inputMode = "decimal";
      input.disabled = locked || !!r.disabled;
      const v = model.get("values")[key(r.id, c.id)];
      if (v !== undefined && v !== null) input.value = v;
      input.addEventListener("change", () => commit(input));
      input.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); commit(input); } });
      const ack = document.createElement("span");
      ack.className = "evalkit-ack";
      td.appendChild(input); td.appendChild(ack);
      inputs.set(key(r.id, c.id), input); acks.set(key(r.id, c.id), ack);
    }
    if (form) {
      const r = rows[0];
      for (const c of cols) {
        const tr = table.insertRow();
        const th = document.createElement("th");
        const label = div("evalkit-grid-label", c.label + " ");
        const scale = document.createElement("span");
        scale.className = "evalkit-grid-scale"; scale.textContent = `${c.min}–${c.max}`;
        label.appendChild(scale); th.appendChild(label);
        const hint = div("evalkit-grid-hint", c.hint || "");
        hint.style.whiteSpace = "pre-line";  // one descriptor a line, without markup
        th.appendChild(hint);
        tr.appendChild(th);
        const td = tr.insertCell();
        if (r) cell(r, c, td);
      }
    } else {
      for (const r of rows) {
        const tr = table.insertRow();
        tr.className = r.disabled ? "evalkit-row-disabled" : "";
        const th = document.createElement("th");
        th.textContent = r.label + (r.note ? " · " + r.note : "");
        tr.appendChild(th);
        for (const c of cols) cell(r, c, tr.insertCell());
      }
    }
    el.appendChild(table);
    update();
    for (const [k, v] of typed) { const input = inputs.get(k); if (input && !input.disabled) input.value = v; }
    const submit = model.get("submit_label");
    if (submit && rows.length && !rows[0].disabled) {
      const btn = document.createElement("button");
      btn.className = "evalkit-submit"; btn.textContent = submit; btn.disabled = locked;
      btn.addEventListener("click", () => {
        const values = {};
        for (const [k, input] of inputs) values[k] = input.value;
        model.send({ type: "submit", values });
      });
      el.appendChild(btn);
    }
  }
  function update() {
    const values = model.get("values"), ackv = model.get("acks");
    for (const [k, input] of inputs) {
      const v = values[k];
      const saved = v !== undefined && v !== null;
      const a = ackv[k], span = acks.get(k);
      // a saved value wins unless the cell is being edited or its ack says what to show
      // (the refused or unconfirmed text stays; a reset cell shows its saved value or nothing)
      if (document.activeElement !== input) {
        if (a && typeof a.show === "string") input.value = a.show;
        else if (a && a.reset) input.value = saved ? v : "";
        else if (saved) input.value = v;
      }
      span.textContent = a ? a.text : "";
      span.dataset.state = a ? a.state : "";
      input.dataset.state = a ? a.state : "";
    }
  }
  for (const name of ["rows", "cols", "layout", "locked", "banner", "submit_label", "context"]) model.on("change:" + name, draw);
  model.on("change:values", update);
  model.on("change:acks", update);
  draw();
}
export default { render };
"""

_CSS = """
.evalkit-grid { font-size: 18px; }
.evalkit-grid table { border-collapse: collapse; }
.evalkit-grid th, .evalkit-grid td { padding: 4px 6px; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
.evalkit-grid-scale { color: #666; font-size: 0.8em; font-weight: normal; }
.evalkit-grid-hint { color: #555; font-size: 0.8em; font-weight: normal; }
.evalkit-grid input.evalkit-cell { width: 5.5em; font-size: 1.1em; padding: 4px; }
.evalkit-grid-form input.evalkit-cell { width: 6em; font-size: 1.4em; }
.evalkit-grid input[data-state="ok"] { background: #e8f7e8; border: 1px solid #2e8b57; }
.evalkit-grid input[data-state="error"] { background: #fdeaea; border: 2px solid #c0392b; }
.evalkit-grid input[data-state="confirm"] { background: #fff4d6; border: 2px solid #e69b00; }
.evalkit-ack { display: block; font-size: 0.75em; min-height: 1em; }
.evalkit-ack[data-state="ok"] { color: #2e8b57; }
.evalkit-ack[data-state="error"] { color: #c0392b; }
.evalkit-ack[data-state="confirm"] { color: #b36b00; }
.evalkit-row-disabled th { color: #999; }
.evalkit-grid-banner { font-size: 1.3em; font-weight: bold; color: #c0392b; padding: 8px 0; }
.evalkit-submit { font-size: 1.3em; padding: 10px 28px; margin-top: 12px; background: #1f6feb; color: white;
                  border: none; border-radius: 6px; }
.evalkit-submit:disabled { background: #999; }
"""


def ack_key(row: str, col: str) -> str:
    return f"{row}|{col}"


class EntryGrid(anywidget.AnyWidget):
    _esm = _ESM
    _css = _CSS
    rows = traitlets.List().tag(sync=True)           # [{id, label, disabled, note}]
    cols = traitlets.List().tag(sync=True)           # [{id, label, min, max, step, hint}]
    values = traitlets.Dict().tag(sync=True)         # {"row|col": number}
    acks = traitlets.Dict().tag(sync=True)           # {"row|col": {state, text}}
    layout = traitlets.Unicode("grid").tag(sync=True)
    locked = traitlets.Bool(False).tag(sync=True)
    banner = traitlets.Unicode("").tag(sync=True)
    submit_label = traitlets.Unicode("").tag(sync=True)
    context = traitlets.Unicode("").tag(sync=True)   # e.g. the project: typed values survive redraws within it

    def __init__(self, on_entry=None, on_submit=None, **kwargs):
        super().__init__(**kwargs)
        self.on_entry = on_entry
        self.on_submit = on_submit
        self.on_msg(self._message)

    def _message(self, _widget, content, _buffers=None):
        if content.get("type") == "entry":
            self.enter(content["row"], content["col"], content.get("value", ""))
        elif content.get("type") == "submit":
            self.submit(content.get("values", {}))

    def set_ack(self, row: str, col: str, state: str, text: str, *, show: str | None = None) -> None:
        """The answer beside a cell; ``show``: the text the box keeps (e.g. what was typed)."""
        ack = {"state": state, "text": text}
        if show is not None:
            ack["show"] = str(show)
        self.acks = {**self.acks, ack_key(row, col): ack}

    def reset_cell(self, row: str, col: str) -> None:
        """No answer beside the cell, and the box back to its saved value (or empty)."""
        self.acks = {**self.acks, ack_key(row, col): {"state": "", "text": "", "reset": True}}

    def enter(self, row: str, col: str, value) -> tuple[str, str]:
        """What the browser does on a committed cell (tests call it directly). A text
        that was refused or waits for confirmation stays in the box."""
        state, text = self.on_entry(row, col, value) if self.on_entry else ("ok", "")
        self.set_ack(row, col, state, text, show=str(value) if state in ("error", "confirm") else None)
        return state, text

    def submit(self, values: dict) -> None:
        """What the submit button does: every cell at once."""
        if self.on_submit:
            self.on_submit(values)
