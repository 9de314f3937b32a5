"""A page: a heading and one scrolling reading column; as an overlay, a centred panel.

Most screens (title, library, prebrief, debrief, history, pause, settings, step out,
feedback, errors) are this shape, so they only say what goes in the column.
"""

from __future__ import annotations

import pygame

from simgame.ui.screen import Screen
from simgame.ui.widgets import Ctx, Flow, TextItem


class PageScreen(Screen):
    """Subclasses set `title` and implement `content(flow)`."""

    title = ""
    subtitle = ""

    def content(self, flow: Flow) -> None:
        raise NotImplementedError

    def reading_width(self) -> int:
        """About 65 characters of body text: the comfortable reading measure."""
        font = self.app.fonts["body"]
        return round(font.size("abcdefghijklmnopqrstuvwxyz")[0] / 26 * 68)

    def layout(self) -> None:
        fonts, theme = self.app.fonts, self.app.theme
        w, h = self.app.size
        margin = fonts.px(16) if self.overlay else fonts.px(24)
        avail_h = h - self.keybar_height - 2 * margin
        col_w = min(w - 2 * margin, self.reading_width() + fonts.px(40))
        x = (w - col_w) // 2
        header = Flow(fonts, theme, col_w - 2 * fonts.px(10), x=x + fonts.px(10), y=0)
        if self.title:
            header.text(self.title, "title" if not self.overlay else "heading", after=4)
        if self.subtitle:
            header.text(self.subtitle, "body", theme.muted, after=4)
        inner = self.column(pygame.Rect(0, 0, col_w, 10))
        if header.y > avail_h * 0.22:  # short window, large text: the heading scrolls too
            if self.title:
                inner.text(self.title, "heading", after=4)
            if self.subtitle:
                inner.text(self.subtitle, "body", theme.muted, after=4)
            header.items, header.y = [], 0
        header_h = header.y
        self.content(inner)
        content_h = inner.y + fonts.px(10)
        body_h = max(fonts.line_height("body") * 2, avail_h - header_h - fonts.px(8))
        if self.overlay:
            body_h = min(body_h - 2 * fonts.px(16), content_h)
            total = header_h + fonts.px(8) + body_h + 2 * fonts.px(16)
            top = max(margin, (h - self.keybar_height - total) // 2)
            self.panel = pygame.Rect(x - fonts.px(8), top, col_w + 2 * fonts.px(8), total)
            y0 = top + fonts.px(16)
        else:
            self.panel = pygame.Rect(0, 0, w, h - self.keybar_height)
            y0 = margin
        self.header = [TextItem(i.rect.move(0, y0), i.text, i.lines) for i in header.items if isinstance(i, TextItem)]
        viewport = pygame.Rect(x, y0 + header_h + fonts.px(8), col_w, body_h)
        self.add_view(viewport, inner)

    def draw_chrome(self, surf: pygame.Surface, ctx: Ctx) -> None:
        t = ctx.theme
        if self.overlay:
            radius = ctx.fonts.px(10)
            pygame.draw.rect(surf, t.bg, self.panel, border_radius=radius)
            pygame.draw.rect(surf, t.accent, self.panel, width=max(2, ctx.fonts.px(2)), border_radius=radius)
        else:
            surf.fill(t.bg)
        for item in self.header:
            item.draw(surf, 0, 0, ctx)
