"""The three pages: the secretary's roadshow tabs, a judge's phone page and the big
screen. Each factory returns an object exposing its widgets (``.widget`` to display)."""
from __future__ import annotations

import importlib

import ipywidgets as w

from ..errors import AccessError
from .common import PAGE_CSS, esc, lang_button, open_from_env, query_token, status
from .messages import t
from .state import AppState

# tab key -> (module, factory); a tab is built the first time it is opened
TABS = (("setup", "setup", "setup_tab"), ("live", "live", "live_tab"), ("leaderboard", "leaderboard", "leaderboard"),
        ("consistency", "consistency", "consistency_tab"), ("allocation", "allocation", "allocation_tab"),
        ("export", "export", "export_tab"))


class Roadshow:
    """The secretary's page. ``tabs`` (ipywidgets.Tab), ``views`` {key: tab object}
    (built on first opening; Live first), ``pin``/``pin_button`` when the store has a
    PIN and none was given."""

    def __init__(self, state: AppState, *, pin_given: bool = False, follow: bool = True):
        self.state = state
        self.views: dict = {}
        self.title = w.HTML()
        self.tabs = w.Tab(children=[w.VBox() for _ in TABS])
        self.tabs.add_class("evalkit-tabs")
        self.tabs.observe(lambda ch: self._open(ch["new"]), names="selected_index")
        self.pin = w.Password(placeholder=t("pin", state.lang))
        self.pin.add_class("evalkit-pin")
        self.pin_button = w.Button(description=t("pin_enter", state.lang))
        self.pin_button.on_click(lambda _: self.unlock_with_pin(self.pin.value))
        self.pin_status = w.HTML()
        self.body = w.VBox()
        self.widget = w.VBox([w.HTML(PAGE_CSS), w.HBox([self.title, lang_button(state)]), self.body])
        self.widget.add_class("evalkit-page")
        self.widget.add_class("evalkit-roadshow")
        state.on_change(self._retitle)
        self._retitle(state)
        if state.store.has_pin and not pin_given:
            status(self.pin_status, t("pin_needed", state.lang))
            self.body.children = [self.pin_status, w.HBox([self.pin, self.pin_button])]
        else:
            self._start()
        if follow:
            state.keep_in_sync(self.widget)
            state.follow()

    def _retitle(self, state) -> None:
        self.title.value = f'<h2 class="evalkit-title">{esc(state.contest.name.get(state.lang))}</h2>'
        for i, (key, _, _) in enumerate(TABS):
            self.tabs.set_title(i, t(f"tab.{key}", state.lang))

    def unlock_with_pin(self, pin: str) -> bool:
        """Reopen the store with the secretary's PIN; False (and a message) when wrong."""
        try:
            store = self.state.contest.open_store(self.state.store.path, pin=pin)
        except AccessError:
            status(self.pin_status, t("pin_wrong", self.state.lang), error=True)
            return False
        self.state.store.close()
        self.state.replace_store(store)
        self._start()
        return True

    def _start(self) -> None:
        self.body.children = [self.tabs]
        self.tabs.selected_index = 1
        self._open(1)

    def _open(self, index) -> None:
        if index is None:
            return
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
        """The tab object for ``key`` (built if needed)."""
        self._open([k for k, _, _ in TABS].index(key))
        return self.views[key]


def _state(contest=None, store=None, lang=None):
    import os
    if contest is None or store is None:
        contest, store = open_from_env()
    return AppState(contest, store, lang=lang or os.environ.get("EVALKIT_LANG", "zh"))


def roadshow(contest=None, store=None, *, lang=None, follow: bool = True) -> Roadshow:
    """The secretary's workbench over ``store`` (default: from the environment)."""
    import os
    return Roadshow(_state(contest, store, lang), pin_given=bool(os.environ.get("EVALKIT_PIN")), follow=follow)


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
