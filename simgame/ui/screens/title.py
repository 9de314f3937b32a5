"""The title screen: continue the autosave, pick a scenario, settings, quit."""

from __future__ import annotations

from collections.abc import Sequence

from simgame.ui.page import PageScreen
from simgame.ui.screen import Hint
from simgame.ui.widgets import Flow


class TitleScreen(PageScreen):
    name = "title"
    title = "simgame"
    subtitle = "Practice working with a team around a client. Nothing here is graded."

    def content(self, flow: Flow) -> None:
        app, t = self.app, self.app.theme
        if app.notice:
            flow.text(app.notice, "body", t.down)
        save = app.saved
        if save is not None:
            where = save.title or "your last scenario"
            flow.button(
                "Continue",
                app.continue_game,
                ident="menu:continue",
                kind="primary",
                extra=[(f"{where}, {save.mode} mode, where you left it", "small", t.accent_text)],
            )
        flow.button(
            "Scenarios",
            app.open_library,
            ident="menu:scenarios",
            kind="plain" if save else "primary",
            extra=[("Choose a case to work through", "small", t.muted if save else t.accent_text)],
        )
        flow.button(
            "Settings",
            app.open_settings,
            ident="menu:settings",
            extra=[("Text size, high contrast, motion, full screen", "small", t.muted)],
        )
        flow.button(
            "Step out",
            app.step_out,
            ident="menu:step_out",
            extra=[("A calm pause and support resources, any time: F2 or S", "small", t.muted)],
        )
        flow.button("Quit", app.quit, ident="menu:quit")

    def hints(self) -> Sequence[Hint]:
        return (
            Hint("Tab", "move"),
            Hint("Enter", "select"),
            Hint("F2", "step out", self.app.step_out, "key:step_out"),
            Hint("F1", "keys", self.app.show_help, "key:help"),
        )
