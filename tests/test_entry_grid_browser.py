"""The entry grid's own JavaScript in Chromium, on a plain page with a stand-in for
the widget model (no kernel, no server): the boxes are text boxes, so the raw text
typed ('8,5', '８．５分') reaches Python as typed; a refused text stays in its box;
a reset cell shows its saved value again."""
import base64

from evalkit.ui.entry_grid import _ESM

from conftest import browser_context, needs_chromium

pytestmark = needs_chromium

MODEL = """
async ([src, state]) => {
  const handlers = {}, sent = [];
  const model = {
    get: (k) => state[k],
    set: (k, v) => { state[k] = v; (handlers["change:" + k] || []).forEach((f) => f()); },
    on: (ev, f) => { (handlers[ev] = handlers[ev] || []).push(f); },
    send: (m) => sent.push(m),
  };
  window.model = model; window.sent = sent;
  const mod = await import("data:text/javascript;base64," + src);
  const el = document.createElement("div"); document.body.appendChild(el);
  mod.default.render({ model, el });
}
"""


def test_grid_sends_the_raw_text_and_keeps_refused_text():
    from playwright.sync_api import sync_playwright
    state = {"rows": [{"id": "J1", "label": "J1"}, {"id": "J2", "label": "J2"}],
             "cols": [{"id": "innovation", "label": "创新性", "min": 0, "max": 10, "step": 0.1, "hint": ""}],
             "values": {"J2|innovation": 7.5}, "acks": {}, "layout": "grid", "locked": False, "banner": "",
             "submit_label": "", "context": "P01"}
    with sync_playwright() as pw:
        browser, ctx = browser_context(pw)
        try:
            page = ctx.new_page()
            page.set_content("<html><body></body></html>")
            page.evaluate(MODEL, [base64.b64encode(_ESM.encode()).decode(), state])
            box = page.locator('input.evalkit-cell[data-row="J1"]')
            assert box.get_attribute("type") == "text" and box.get_attribute("inputmode") == "decimal"
            for text in ("8,5", "８．５分", "1,000"):
                box.fill(text)
                box.press("Enter")
                assert page.evaluate("window.sent.at(-1)") == {"type": "entry", "row": "J1", "col": "innovation",
                                                               "value": text}
            # Python refused '1,000': the answer beside the box, the text stays after leaving it
            page.evaluate("""() => window.model.set("acks", {"J1|innovation":
                {state: "error", text: "数值不明确", show: "1,000"}})""")
            page.locator('input.evalkit-cell[data-row="J2"]').focus()
            assert box.input_value() == "1,000"
            assert page.locator(".evalkit-ack").first.text_content() == "数值不明确"
            # a saved cell typed over and then reset goes back to its saved value
            other = page.locator('input.evalkit-cell[data-row="J2"]')
            other.fill("3")
            box.focus()
            page.evaluate("""() => window.model.set("acks", {"J2|innovation":
                {state: "", text: "", reset: true}})""")
            assert other.input_value() == "7.5"
            assert page.evaluate("window.sent.at(-1)")["value"] == "3"          # sent as typed when it left the box
        finally:
            browser.close()


def test_grid_shows_markup_in_labels_and_descriptors_as_text():
    """A rubric label or descriptor carrying markup (issue 13) stays text in the
    secretary's grid and the form layout: nothing of it runs."""
    from playwright.sync_api import sync_playwright
    payload = '<img src=x onerror="window.__xss=1">'
    with sync_playwright() as pw:
        browser, ctx = browser_context(pw)
        try:
            for layout in ("grid", "form"):
                state = {"rows": [{"id": "J1", "label": "J1" + payload}],
                         "cols": [{"id": "need", "label": "需求" + payload, "min": 0, "max": 15, "step": 0.1,
                                   "hint": "12–15: " + payload + "\n0–7.9: x"}],
                         "values": {}, "acks": {}, "layout": layout, "locked": False, "banner": payload,
                         "submit_label": "", "context": "P01"}
                page = ctx.new_page()
                page.set_content("<html><body></body></html>")
                page.evaluate(MODEL, [base64.b64encode(_ESM.encode()).decode(), state])
                page.wait_for_timeout(200)
                assert page.locator("img").count() == 0, layout
                assert page.evaluate("window.__xss") is None, layout
                assert payload in page.inner_text("body"), layout
        finally:
            browser.close()
