"""The screen base: focus traversal, activation, scrolling and the key bar, shared by every screen.

pygame has no focus model, so this is it: every `Button` laid out by a screen (content first,
then the key bar) is in the Tab order; Enter or Space activates the focused one; the mouse
focuses and activates what it clicks. Screens add their own keys in `on_key`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pygame

from simgame.ui.widgets import Action, Button, Ctx, Flow, Item, ScrollView, TextItem

if TYPE_CHECKING:
    from simgame.ui.app import App

ACTIVATE_KEYS = (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE)


@dataclass(frozen=True, slots=True)
class Hint:
    """One entry of the key bar: a key, what it does here, and the action when clickable."""

    key: str
    label: str
    action: Action | None = None
    ident: str = ""
    short: str = ""
    """A shorter label for narrow windows and large text."""


class Screen:
    """A full screen or an overlay. Subclasses implement `layout` and may add `on_key`."""

    name = "screen"
    overlay = False

    def __init__(self, app: App) -> None:
        self.app = app
        self.views: list[ScrollView] = []
        self.keybar: ScrollView | None = None
        self.focused: Button | None = None
        self.hovered: Button | None = None
        self._focus_ident = ""

    # --- building ----------------------------------------------------------------------

    def build(self) -> None:
        """Lay the screen out for the current window size, text size and state."""
        self.views = []
        self.keybar = self._build_keybar()
        self.layout()
        self._restore_focus()

    def layout(self) -> None:
        raise NotImplementedError

    def hints(self) -> Sequence[Hint]:
        return ()

    @property
    def keybar_height(self) -> int:
        return self.keybar.viewport.height if self.keybar else 0

    def _build_keybar(self) -> ScrollView:
        """The key bar; when it would take two rows, short labels are tried first."""
        bar = self._keybar_rows(short=False)
        if bar.viewport.height > self._one_row_height():
            shorter = self._keybar_rows(short=True)
            if shorter.viewport.height < bar.viewport.height:
                return shorter
        return bar

    def _keybar_rows(self, *, short: bool) -> ScrollView:
        fonts, theme = self.app.chrome_fonts, self.app.theme
        w, h = self.app.size
        pad, gap = fonts.px(8), fonts.px(18)
        x, y, row_h = pad, pad, 0
        items: list[Item] = []
        for hint in self.hints():
            cap = self._keycap(hint.key)
            text = (hint.short or hint.label) if short else hint.label
            label = fonts.render("small", text, theme.text)
            iw = cap.get_width() + fonts.px(8) + label.get_width()
            ih = max(cap.get_height(), label.get_height())
            if x > pad and x + iw > w - pad:
                x, y = pad, y + row_h + fonts.px(6)
                row_h = 0
            lines = [
                (cap, 0, (ih - cap.get_height()) // 2),
                (label, cap.get_width() + fonts.px(8), (ih - label.get_height()) // 2),
            ]
            rect = pygame.Rect(x, y, min(iw, w - 2 * pad), ih)
            if hint.action is not None:
                items.append(
                    Button(
                        rect,
                        hint.label,
                        hint.label,
                        hint.action,
                        lines,
                        kind="key",
                        ident=hint.ident or f"key:{hint.key}",
                    )
                )
            else:
                items.append(TextItem(rect, hint.label, lines))
            x += iw + gap
            row_h = max(row_h, ih)
        height = y + row_h + pad if items else 0
        return ScrollView(pygame.Rect(0, h - height, w, height), items, height)

    def _one_row_height(self) -> int:
        fonts = self.app.chrome_fonts
        return fonts.px(8) * 2 + max(self._keycap("X").get_height(), fonts["small"].get_height())

    def _keycap(self, key: str) -> pygame.Surface:
        fonts, theme = self.app.chrome_fonts, self.app.theme
        text = fonts.render("small_bold", key, theme.text)
        px = fonts.px(6)
        surf = pygame.Surface((text.get_width() + 2 * px, text.get_height() + px), pygame.SRCALPHA)
        pygame.draw.rect(surf, theme.card, surf.get_rect(), border_radius=px)
        pygame.draw.rect(surf, theme.border, surf.get_rect(), width=max(1, fonts.px(1)), border_radius=px)
        surf.blit(text, (px, px // 2))
        return surf

    def column(self, viewport: pygame.Rect) -> Flow:
        """A Flow for the inside of `viewport`, leaving room for focus rings and a scrollbar."""
        fonts = self.app.fonts
        pad = fonts.px(10)
        return Flow(fonts, self.app.theme, viewport.width - 2 * pad - fonts.px(8), x=pad, y=pad)

    def add_view(self, viewport: pygame.Rect, flow: Flow, *, more: bool = True) -> ScrollView:
        """Add a scrolling view; when its content is taller, a strip under it says so."""
        height = flow.y + self.app.fonts.px(10)
        fonts = self.app.chrome_fonts
        strip = fonts.line_height("small")
        if more and height > viewport.height and viewport.height > 3 * strip:
            viewport = pygame.Rect(viewport.x, viewport.y, viewport.width, viewport.height - strip)
            view = ScrollView(viewport, flow.items, height)
            view.more = pygame.Rect(viewport.x, viewport.bottom, viewport.width, strip)
            for words in ("▼ more below: ↓, PgDn or the wheel", "▼ more below", "▼ more"):
                label = fonts.render("small", words, self.app.theme.muted)
                if label.get_width() <= viewport.width - fonts.px(24):
                    view.more_label = label
                    break
        else:
            view = ScrollView(viewport, flow.items, height)
        self.views.append(view)
        return view

    # --- focus -------------------------------------------------------------------------

    @property
    def focusables(self) -> list[Button]:
        out = [i for v in self.views for i in v.items if isinstance(i, Button)]
        if self.keybar:
            out += [i for i in self.keybar.items if isinstance(i, Button)]
        return out

    def button(self, ident: str) -> Button:
        """The button with this ident (tests and the e2e driver use it)."""
        for b in self.focusables:
            if b.ident == ident:
                return b
        raise KeyError(f"no button {ident!r} on the {self.name} screen; there are {[b.ident for b in self.focusables]}")

    def focus(self, button: Button | None) -> None:
        self.focused = button
        self._focus_ident = button.ident if button else ""
        if button is not None:
            view = self.view_of(button)
            if view is not None:
                view.ensure_visible(button.rect)

    def initial_focus(self) -> Button | None:
        items = self.focusables
        return items[0] if items else None

    def _restore_focus(self) -> None:
        """Keep the focus across a rebuild; on a fresh screen, focus the first action only if it
        is in view, so that a long text is read from its top and never scrolled past."""
        for b in self.focusables:
            if self._focus_ident and b.ident == self._focus_ident:
                self.focus(b)
                return
        first = self.initial_focus()
        view = self.view_of(first) if first is not None else None
        if first is not None and view is not None and first.rect.top <= view.viewport.height * 0.75:
            self.focus(first)
        else:
            self.focused = None
            self._focus_ident = ""

    def reload(self) -> None:
        """F5 when no session is running: re-read what this screen shows."""
        self.build()

    def move_focus(self, step: int) -> None:
        items = self.focusables
        if not items:
            return
        if self.focused not in items:
            self.focus(items[0] if step > 0 else items[-1])
            return
        assert self.focused is not None
        self.focus(items[(items.index(self.focused) + step) % len(items)])

    def view_of(self, item: Item) -> ScrollView | None:
        for v in [*self.views, *([self.keybar] if self.keybar else [])]:
            if item in v.items:
                return v
        return None

    @property
    def main_view(self) -> ScrollView | None:
        return self.views[0] if self.views else None

    # --- events ------------------------------------------------------------------------

    def on_key(self, event: pygame.event.Event) -> bool:
        """Screen-specific keys; return True when handled."""
        return False

    def back(self) -> None:
        """Esc: back out (overlays close; screens go back or pause)."""

    def default_action(self) -> None:
        """Enter with nothing focused: bring the first action (e.g. the choices) into view."""
        self.focus(self.initial_focus())

    def handle(self, event: pygame.event.Event) -> None:
        if event.type == pygame.KEYDOWN:
            self._key(event)
        elif event.type == pygame.MOUSEMOTION:
            self.hovered = self._hit(event.pos)
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            hit = self._hit(event.pos)
            if hit is not None:
                self.focus(hit)
                self.activate(hit)
        elif event.type == pygame.MOUSEWHEEL:
            view = self._view_at(pygame.mouse.get_pos()) or self.main_view
            if view is not None:
                view.scroll_by(-event.y * self.app.fonts.line_height("body") * 2)

    def activate(self, button: Button) -> None:
        if not button.activate():
            self.refused(button)

    def refused(self, button: Button) -> None:
        """A disabled button was activated; screens explain why (e.g. a locked choice)."""

    def _key(self, event: pygame.event.Event) -> None:
        if self.on_key(event):
            return
        key, shift = event.key, bool(event.mod & pygame.KMOD_SHIFT)
        view = self.main_view
        line = self.app.fonts.line_height("body")
        if key == pygame.K_TAB:
            self.move_focus(-1 if shift else 1)
        elif key in ACTIVATE_KEYS:
            if self.focused is not None:
                self.activate(self.focused)
            elif key != pygame.K_SPACE:
                self.default_action()
        elif key == pygame.K_ESCAPE:
            self.back()
        elif key in (pygame.K_UP, pygame.K_DOWN):
            step = -1 if key == pygame.K_UP else 1
            if view is not None and view.scrollable:
                view.scroll_by(step * line * 2)
            else:
                self.move_focus(step)
        elif view is not None and key in (pygame.K_PAGEUP, pygame.K_PAGEDOWN):
            page = max(line, view.viewport.height - 2 * line)
            view.scroll_by(-page if key == pygame.K_PAGEUP else page)
        elif view is not None and key == pygame.K_HOME:
            view.offset = 0
        elif view is not None and key == pygame.K_END:
            view.offset = view.max_offset

    def _hit(self, pos: tuple[int, int]) -> Button | None:
        for v in [*self.views, *([self.keybar] if self.keybar else [])]:
            hit = v.hit(pos)
            if hit is not None:
                return hit
        return None

    def _view_at(self, pos: tuple[int, int]) -> ScrollView | None:
        for v in self.views:
            if v.viewport.collidepoint(pos):
                return v
        return None

    # --- frames ------------------------------------------------------------------------

    def update(self, dt: float) -> None:
        """Advance animations by `dt` seconds (presentation only; never game rules)."""

    def draw(self, surf: pygame.Surface) -> None:
        ctx = self.ctx()
        self.draw_chrome(surf, ctx)
        for v in self.views:
            v.draw(surf, ctx)
        self.draw_keybar(surf, ctx)

    def ctx(self) -> Ctx:
        return Ctx(self.app.theme, self.app.fonts, self.focused, self.hovered)

    def draw_chrome(self, surf: pygame.Surface, ctx: Ctx) -> None:
        """Backgrounds and fixed parts drawn under the scrolling views."""

    def draw_keybar(self, surf: pygame.Surface, ctx: Ctx) -> None:
        if self.keybar is None or not self.keybar.items:
            return
        r = self.keybar.viewport
        base = self.app.base.keybar
        if self.overlay and base is not None and base.viewport.top < r.top:
            r = r.union(base.viewport)  # cover the key bar of the screen beneath
        pygame.draw.rect(surf, ctx.theme.panel, r)
        pygame.draw.line(surf, ctx.theme.border, r.topleft, r.topright, max(1, ctx.fonts.px(1)))
        self.keybar.draw(surf, ctx)
