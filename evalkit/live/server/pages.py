"""The venue server's plain HTTP side: the index line, the health probe, the two
role pages (a judge's page only for a valid link) and the static scripts/styles.
Every answer carries strict headers; an error is one line, never a traceback."""
from __future__ import annotations

import tornado.web

from ...errors import AccessError
from ...resources import page_dir
from .protocol import TOKEN_SHAPE, raw_token, refusal

STATIC = page_dir()


class BaseHandler(tornado.web.RequestHandler):
    def initialize(self, live, name: str | None = None):
        self.live, self.name = live, name

    def set_default_headers(self):
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")  # the judge's token is in the URL
        self.set_header("X-Frame-Options", "DENY")
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "
                        "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'")

    def prepare(self):
        if not self.live.address_limits.allow(self.request.remote_ip or "?"):
            raise tornado.web.HTTPError(429)

    def write_error(self, status_code, **kwargs):
        # one line, no traceback, no internal path
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code} {self._reason}\n")


class NotFoundHandler(BaseHandler):
    def prepare(self):
        raise tornado.web.HTTPError(404)


class IndexHandler(BaseHandler):
    def get(self):
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("evalkit 路演评分 · live roadshow — 请使用评审秘书提供的链接 / use the link the secretary gave you\n")


class HealthHandler(BaseHandler):
    def get(self):
        self.finish({"ok": True, "build": self.live.build, "pages": len(self.live.judge_sockets)
                     + len(self.live.screen_sockets)})


BAD_LINK_PAGE = ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" '
                 'content="width=device-width, initial-scale=1"><title>链接无效 · Link not valid</title>'
                 '<link rel="stylesheet" href="/static/live.css"></head><body class="evalkit-page evalkit-judge-page">'
                 '<div class="evalkit-now evalkit-bad-link">{zh}</div><p>{en}</p></body></html>')


class PageHandler(BaseHandler):
    def get(self):
        if self.name == "judge":
            token = raw_token(self)
            status = 400 if not TOKEN_SHAPE.fullmatch(token) else 0
            if not status:
                try:
                    self.live.store.judge_for_token(token)
                except AccessError:
                    status = 403
            if status:  # a friendly page, no detail about why
                self.set_status(status)
                self.set_header("Content-Type", "text/html; charset=utf-8")
                self.finish(BAD_LINK_PAGE.format(**refusal("bad_link")))
                return
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(self.live.pages[self.name])


class StaticHandler(BaseHandler):
    TYPES = {"js": "application/javascript; charset=utf-8", "css": "text/css; charset=utf-8"}

    def get(self, name):
        path = STATIC / name
        if not path.is_file():
            raise tornado.web.HTTPError(404)
        self.set_header("Content-Type", self.TYPES[name.rsplit(".", 1)[1]])
        self.finish(path.read_bytes())
