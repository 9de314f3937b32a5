"""Laid-out items (text, buttons, drawings), a column builder, and a scrolling viewport.

Screens build their items once per state change (new scene, resize, text size) with `Flow`;
frames then only blit the pre-rendered surfaces. Item positions are in content coordinates,
so one list of items serves both drawing and mouse hit-testing at any scroll offset.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pygame

from simgame.ui.text import wrap
from simgame.ui.theme import Color, Fonts, Style, Theme

Action = Callable[[], None]
Block = tuple[str, Style, Color]
"""A run of text in one style and colour, wrapped to the column."""


@dataclass(slots=True)
class Ctx:
    """What drawing needs besides the items: palette, fonts, and the focus/hover state."""

    theme: Theme
    fonts: Fonts
    focused: object | None = None
    hovered: object | None = None


@dataclass(eq=False, slots=True)
class Item:
    """Something drawn at `rect` (content coordinates)."""

    rect: pygame.Rect
    text: str = ""
    """The words shown, kept for tests and for a future screen reader."""

    def draw(self, surf: pygame.Surface, dx: int, dy: int, ctx: Ctx) -> None:
        raise NotImplementedError


@dataclass(eq=False, slots=True)
class TextItem(Item):
    """Pre-rendered lines of text."""

    lines: list[tuple[pygame.Surface, int, int]] = field(default_factory=list)

    def draw(self, surf: pygame.Surface, dx: int, dy: int, ctx: Ctx) -> None:
        for s, x, y in self.lines:
            surf.blit(s, (self.rect.x + dx + x, self.rect.y + dy + y))


@dataclass(eq=False, slots=True)
class Drawing(Item):
    """An item drawn by a function each frame (bars, charts, portraits)."""

    paint: Callable[[pygame.Surface, pygame.Rect, Ctx], None] = lambda s, r, c: None

    def draw(self, surf: pygame.Surface, dx: int, dy: int, ctx: Ctx) -> None:
        self.paint(surf, self.rect.move(dx, dy), ctx)


@dataclass(eq=False, slots=True)
class Button(Item):
    """A focusable, clickable item. `enabled=False` still takes focus so its reason can be read."""

    label: str = ""
    action: Action | None = None
    lines: list[tuple[pygame.Surface, int, int]] = field(default_factory=list)
    enabled: bool = True
    kind: str = "plain"
    """plain | primary | choice | key (the key bar) | card."""
    ident: str = ""
    """A stable name for tests and the status file (e.g. "choice:ask", "menu:continue")."""

    def activate(self) -> bool:
        if self.enabled and self.action is not None:
            self.action()
            return True
        return False

    def draw(self, surf: pygame.Surface, dx: int, dy: int, ctx: Ctx) -> None:
        t = ctx.theme
        r = self.rect.move(dx, dy)
        radius = ctx.fonts.px(6)
        if self.kind == "primary" and self.enabled:
            pygame.draw.rect(surf, t.accent, r, border_radius=radius)
        elif self.kind != "key":
            pygame.draw.rect(surf, t.card, r, border_radius=radius)
            edge = t.accent if ctx.hovered is self and self.enabled else t.border
            pygame.draw.rect(surf, edge, r, width=max(1, ctx.fonts.px(1)), border_radius=radius)
        for s, x, y in self.lines:
            surf.blit(s, (r.x + x, r.y + y))
        if ctx.focused is self:
            w = max(3, ctx.fonts.px(3))
            pygame.draw.rect(surf, t.focus, r.inflate(2 * w, 2 * w), width=w, border_radius=radius + w)


class Flow:
    """Builds a column of items top to bottom inside `width` pixels, wrapping all text."""

    def __init__(self, fonts: Fonts, theme: Theme, width: int, *, x: int = 0, y: int = 0) -> None:
        self.fonts = fonts
        self.theme = theme
        self.width = max(40, width)
        self.x = x
        self.y = y
        self.items: list[Item] = []

    @property
    def buttons(self) -> list[Button]:
        return [i for i in self.items if isinstance(i, Button)]

    def space(self, px: float = 12) -> None:
        self.y += self.fonts.px(px)

    def lines(
        self, text: str, style: Style, color: Color, width: int
    ) -> tuple[list[tuple[pygame.Surface, int, int]], int]:
        """Wrapped, rendered lines and their total height, for placing inside another item."""
        font = self.fonts[style]
        lh = self.fonts.line_height(style)
        out = []
        y = 0
        for line in wrap(font, text, width):
            if line:
                out.append((font.render(line, True, color), 0, y))
            y += lh
        return out, y

    def text(
        self,
        text: str,
        style: Style = "body",
        color: Color | None = None,
        *,
        indent: int = 0,
        after: float = 8,
    ) -> TextItem | None:
        if not text.strip():
            return None
        lines, h = self.lines(text, style, color or self.theme.text, self.width - indent)
        item = TextItem(pygame.Rect(self.x + indent, self.y, self.width - indent, h), text, lines)
        self.items.append(item)
        self.y += h + self.fonts.px(after)
        return item

    def heading(self, text: str, *, style: Style = "heading") -> None:
        self.space(6)
        self.text(text, style, self.theme.text, after=6)

    def bullets(self, items: Sequence[str], style: Style = "body", color: Color | None = None) -> None:
        bullet_w = self.fonts[style].size("•  ")[0]
        for it in items:
            top = self.y
            bullet = self.fonts[style].render("•", True, self.theme.accent)
            rect = pygame.Rect(self.x, top, bullet_w, self.fonts.line_height(style))
            self.items.append(TextItem(rect, "", [(bullet, 0, 0)]))
            self.text(it, style, color, indent=bullet_w, after=4)

    def drawing(
        self,
        height: int,
        paint: Callable[[pygame.Surface, pygame.Rect, Ctx], None],
        *,
        after: float = 8,
        width: int | None = None,
    ) -> Drawing:
        item = Drawing(pygame.Rect(self.x, self.y, width or self.width, height), "", paint)
        self.items.append(item)
        self.y += height + self.fonts.px(after)
        return item

    def button(
        self,
        label: str,
        action: Action | None,
        *,
        ident: str = "",
        kind: str = "plain",
        enabled: bool = True,
        number: int | None = None,
        style: Style = "body",
        extra: Sequence[Block] = (),
        after: float = 10,
        width: int | None = None,
    ) -> Button:
        """A button whose label (and extra lines below it) wraps inside the column."""
        t = self.theme
        pad = self.fonts.px(12)
        w = width or self.width
        color = t.accent_text if kind == "primary" and enabled else (t.text if enabled else t.locked)
        left = pad
        lines: list[tuple[pygame.Surface, int, int]] = []
        if number is not None:
            badge = self.fonts["bold"].render(str(number), True, t.accent if enabled else t.locked)
            lines.append((badge, pad, pad))
            left = pad + self.fonts["bold"].size("8")[0] + self.fonts.px(16)
        inner = w - left - pad
        body, h = self.lines(label, style, color, inner)
        y = pad
        lines += [(s, x + left, yy + y) for s, x, yy in body]
        y += h
        for text, st, col in extra:
            more, mh = self.lines(text, st, col, inner)
            lines += [(s, x + left, yy + y) for s, x, yy in more]
            y += mh
        rect = pygame.Rect(self.x, self.y, w, y + pad - self.fonts.px(4))
        btn = Button(
            rect,
            " ".join([label, *(e[0] for e in extra)]),
            label,
            action,
            lines,
            enabled,
            kind,
            ident,
        )
        self.items.append(btn)
        self.y += btn.rect.height + self.fonts.px(after)
        return btn

    def beside(self, image: pygame.Surface, blocks: Sequence[Block], *, after: float = 14) -> None:
        """An image at the left and wrapped text blocks beside it (portraits next to their line)."""
        gap = self.fonts.px(14)
        iw = image.get_width()
        inner = self.width - iw - gap
        lines: list[tuple[pygame.Surface, int, int]] = [(image, 0, 0)]
        y = 0
        for text, st, col in blocks:
            more, h = self.lines(text, st, col, inner)
            lines += [(s, x + iw + gap, yy + y) for s, x, yy in more]
            y += h
        h = max(y, image.get_height())
        text = " ".join(b[0] for b in blocks)
        self.items.append(TextItem(pygame.Rect(self.x, self.y, self.width, h), text, lines))
        self.y += h + self.fonts.px(after)


class ScrollView:
    """A viewport onto a column of items, scrolled by wheel, keys, or moving focus."""

    def __init__(self, viewport: pygame.Rect, items: list[Item], content_height: int) -> None:
        self.viewport = viewport
        self.items = items
        self.content_height = content_height
        self.offset = 0
        self.more: pygame.Rect | None = None
        self.more_label: pygame.Surface | None = None
        """A strip under the viewport that says there is more below (only when scrollable)."""

    @property
    def max_offset(self) -> int:
        return max(0, self.content_height - self.viewport.height)

    @property
    def scrollable(self) -> bool:
        return self.max_offset > 0

    def scroll_by(self, dy: int) -> None:
        self.offset = max(0, min(self.max_offset, self.offset + dy))

    def ensure_visible(self, rect: pygame.Rect) -> None:
        margin = 12
        if rect.top - margin < self.offset:
            self.offset = max(0, rect.top - margin)
        elif rect.bottom + margin > self.offset + self.viewport.height:
            self.offset = min(self.max_offset, rect.bottom + margin - self.viewport.height)
        if rect.height + 2 * margin > self.viewport.height:  # taller than the view: show its top
            self.offset = max(0, min(self.max_offset, rect.top - margin))

    def to_content(self, pos: tuple[int, int]) -> tuple[int, int] | None:
        if not self.viewport.collidepoint(pos):
            return None
        return pos[0] - self.viewport.x, pos[1] - self.viewport.y + self.offset

    def hit(self, pos: tuple[int, int]) -> Button | None:
        p = self.to_content(pos)
        if p is None:
            return None
        for item in self.items:
            if isinstance(item, Button) and item.rect.collidepoint(p):
                return item
        return None

    def screen_rect(self, item: Item) -> pygame.Rect:
        return item.rect.move(self.viewport.x, self.viewport.y - self.offset)

    def draw(self, surf: pygame.Surface, ctx: Ctx) -> None:
        old = surf.get_clip()
        surf.set_clip(self.viewport.clip(old))
        dx, dy = self.viewport.x, self.viewport.y - self.offset
        top, bottom = self.offset, self.offset + self.viewport.height
        for item in self.items:
            if item.rect.bottom >= top and item.rect.top <= bottom:
                item.draw(surf, dx, dy, ctx)
        surf.set_clip(old)
        if self.scrollable:
            self._scrollbar(surf, ctx)
            if self.more is not None and self.more_label is not None and self.offset < self.max_offset:
                label = self.more_label
                surf.blit(label, (self.more.right - label.get_width() - ctx.fonts.px(16), self.more.y))

    def _scrollbar(self, surf: pygame.Surface, ctx: Ctx) -> None:
        v = self.viewport
        w = max(4, ctx.fonts.px(6))
        track = pygame.Rect(v.right - w, v.y, w, v.height)
        pygame.draw.rect(surf, ctx.theme.panel, track, border_radius=w // 2)
        h = max(w * 4, v.height * v.height // self.content_height)
        y = v.y + (v.height - h) * self.offset // max(1, self.max_offset)
        pygame.draw.rect(surf, ctx.theme.muted, (track.x, y, w, h), border_radius=w // 2)
