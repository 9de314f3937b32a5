"""simgame: training simulations of interprofessional collaboration for social work.

The core (loading, compiling, running) is a plain library with no display and no wall
clock; the terminal player, the game window and the tests are its front ends.
"""

from __future__ import annotations

__version__ = "0.1.0"

from simgame.compiler import compile_source, load_scenario
from simgame.errors import Issue, ScenarioError, Span
from simgame.scenario import Scenario
from simgame.session import LogEntry, Session

__all__ = [
    "Issue",
    "LogEntry",
    "Scenario",
    "ScenarioError",
    "Session",
    "Span",
    "__version__",
    "compile_source",
    "load_scenario",
]
