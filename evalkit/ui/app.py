"""The three pages: the secretary's roadshow tabs, a judge's phone page and the big
screen. Each factory returns an object exposing its widgets (``.widget`` to display)."""
from __future__ import annotations

import importlib
import math

import ipywidgets as w

from ..access import (FREE_ATTEMPTS, PinBackoffError, PinGuard, has_secretary_rights, no_pin,
                      require_secretary)
from ..errors import AccessError, EvalkitError
from .common import PAGE_CSS, error_text, esc, lang_button, open_from_env, query_token, status
from .messages import t
from .state import AppState

# tab key -> (module, factory); a tab is built the first time it is opened
TABS = (("setup", "setup", "setup_tab"), ("live", "live", "live_tab"), ("leaderboard", "leaderboard", "leaderboard"),
        ("consistency", "consistency", "consistency_tab"), ("allocation", "allocation", "allocation_tab"),
        ("import", "paper_import", "import_tab"), ("export", "export", "export_tab"))


class Roadshow:
    """The secretary's page. ``tabs`` (ipywidgets.Tab) and ``views`` {key: tab object}
    (built on first opening; Live first) exist only once the store handle carries the
    secretary's rights (opened with the PIN, or a store without one): before that the
    page is the PIN box (``pin``, ``pin_button``, ``pin_status``) and no widget holds
    or computes anything of the scores, so no message a page can send reaches them.
    ``guard``: the store's back-off after wrong PINs (evalkit.access.PinGuard)."""

    def __init__(self, state: AppState, *, follow: bool = True):
        self.state = state
        self.views: dict = {}
        self.tabs = None
        self.guard = PinGuard(state.store.path)
        self.title = w.HTML()
        self.pin = w.Password(placeholder=t("pin", state.lang))
        self.pin.add_class("evalkit-pin")
        self.pin_button = w.Button(description=t("pin_enter", state.lang))
        self.pin_button.on_click(lambda _: self.unlock_with_pin(self.pin.value))
        self.pin_status = w.HTML()
        self.body = w.VBox()
        switch = lang_button(state)
        switch.layout.align_self, switch.layout.margin = "center", "0 0 0 16px"   # beside the title
        self.widget = w.VBox([w.HTML(PAGE_CSS), w.HBox([self.title, switch]), self.body])
        self.widget.add_class("evalkit-page")
        self.widget.add_class("evalkit-roadshow")
        state.on_change(self._retitle)
        self._retitle(state)
        if has_secretary_rights(state.store):
            self._start()
        else:
            status(self.pin_status, t("pin_needed", state.lang))
            self.body.children = [self.pin_status, w.HBox([self.pin, self.pin_button])]
        if follow:
            state.keep_in_sync(self.widget)
            state.follow()

    def _retitle(self, state) -> None:
        self.title.value = f'<h2 class="evalkit-title">{esc(state.contest.name.get(state.lang))}</h2>'
        self.pin.placeholder = t("pin", state.lang)
        self.pin_button.description = t("pin_enter", state.lang)
        if self.tabs is not None:
            for i, (key, _, _) in enumerate(TABS):
                self.tabs.set_title(i, t(f"tab.{key}", state.lang))

    def unlock_with_pin(self, pin: str) -> bool:
        """Reopen the store with the secretary's PIN (under the back-off) and build the
        tabs; False (and a message in the page's language) when refused."""
        if self.tabs is not None:
            return True
        lang = self.state.lang
        self.pin.value = ""
        if no_pin(pin):
            status(self.pin_status, t("pin_needed", lang))
            return False
        try:
            store = self.guard.open(self.state.base_contest, pin)
        except PinBackoffError as exc:
            status(self.pin_status, t("pin_wait", lang, seconds=math.ceil(exc.retry_after)), error=True)
            return False
        except AccessError:
            wait, left = self.guard.wait(), FREE_ATTEMPTS - self.guard.failures()
            more = (t("pin_wait", lang, seconds=math.ceil(wait)) if wait else
                    t("pin_left", lang, n=left) if left > 0 else "")
            status(self.pin_status, t("pin_wrong", lang) + ("　" + more if more else ""), error=True)
            return False
        except EvalkitError as exc:       # the attempt record or the store cannot be used: say so
            status(self.pin_status, t("error", lang, text=error_text(exc, lang)), error=True)
            return False
        old = self.state.store
        self.state.replace_store(store)
        old.close()
        self._start()
        return True

    def _start(self) -> None:
        require_secretary(self.state.store, "opening the secretary's workbench")
        self.tabs = w.Tab(children=[w.VBox() for _ in TABS])
        self.tabs.add_class("evalkit-tabs")
        self.tabs.observe(lambda ch: self._open(ch["new"]), names="selected_index")
        self._retitle(self.state)
        self.body.children = [self.tabs]
        self.tabs.selected_index = 1
        self._open(1)

    def _open(self, index) -> None:
        if index is None:
            return
        require_secretary(self.state.store, "opening a tab of the secretary's workbench")
        key, module, factory = TABS[index]
        if key not in self.views:
            mod = importlib.import_module(f"{__package__}.{module}")
            view = getattr(mod, factory)(self.state)
            self.views[key] = view
            children = list(self.tabs.children)
            children[index] = view.widget
            self.tabs.children = children
            self.tabs.selected_index = index

    def view(self, key: str):
        """The tab object for ``key`` (built if needed; AccessError before the PIN)."""
        require_secretary(self.state.store, f"opening the {key} tab")
        self._open([k for k, _, _ in TABS].index(key))
        return self.views[key]


def _state(contest=None, store=None, lang=None):
    import os
    if contest is None or store is None:
        contest, store = open_from_env()
    return AppState(contest, store, lang=lang or os.environ.get("EVALKIT_LANG", "zh"))


def roadshow(contest=None, store=None, *, lang=None, follow: bool = True) -> Roadshow:
    """The secretary's workbench over ``store`` (default: from the environment)."""
    return Roadshow(_state(contest, store, lang), follow=follow)


def judge(contest=None, store=None, token: str | None = None, *, lang=None, follow: bool = True):
    """A judge's phone page; the token comes from the link's ``?token=`` when served.
    Outside `evalkit serve` (a notebook run) the first judge's demo link is used."""
    from .judge import JudgePage
    state = _state(contest, store, lang)
    token = token or query_token()
    if token is None and not _serving():
        token = state.store.judge_tokens()[state.contest.judge_ids[0]]
    page = JudgePage(state, token)
    if follow:
        state.keep_in_sync(page.widget)
        state.follow()
    return page


def screen(contest=None, store=None, *, lang=None, follow: bool = True):
    """The big screen page."""
    from .screen import Screen
    state = _state(contest, store, lang)
    page = Screen(state)
    if follow:
        state.keep_in_sync(page.widget)
        state.follow()
    return page


def _serving() -> bool:
    import os
    return bool(os.environ.get("EVALKIT_STORE"))
