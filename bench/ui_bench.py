"""Game-window benchmark (printed figures, no assertions).

    SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy .venv/bin/python bench/ui_bench.py

Measures, headless at 1280x720: cold start (a fresh interpreter, to the first drawn
interactive frame), frame time median and 99th percentile on the scene screen while idle
and while the trust meters animate, and resident memory after playing a scenario through.
Aims from issue 4: start < 1 s, p99 < 8 ms, memory < 150 MB.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
os.environ["SIMGAME_HOME"] = tempfile.mkdtemp(prefix="simgame-bench-")

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = next(
    p for p in (ROOT / "scenarios" / "eviction.yaml", ROOT / "tests" / "fixtures" / "mini.yaml") if p.exists()
)
CHILD = """
import time, sys
t0 = float(sys.argv[1])
from simgame.ui.app import App
app = App(size=(1280, 720))
app.frame(0.0)
print(time.time() - t0, flush=True)
"""


def cold_start(runs: int = 5) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.time()
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, repr(t0)],
            capture_output=True,
            text=True,
            check=True,
            env=os.environ,
            cwd=ROOT,
        )
        out.append(float(proc.stdout.strip().splitlines()[-1]))
    return out


def frame_times(pilot: object, frames: int, *, animate: bool) -> list[float]:
    from simgame.ui.pilot import Pilot
    from simgame.ui.screens.scene import SceneScreen

    assert isinstance(pilot, Pilot)
    times = []
    for i in range(frames):
        screen = pilot.app.base
        if animate and isinstance(screen, SceneScreen) and i % 15 == 0:
            for a in screen.anims.values():  # restart every meter's slide and "+n" label
                a.start, a.delta, a.age = a.end - 12, 12, 0.0
        t = time.perf_counter()
        pilot.app.frame(1 / 60)
        times.append((time.perf_counter() - t) * 1000)
    return times


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    starts = cold_start()
    print(
        f"cold start to first interactive frame: median {statistics.median(starts) * 1000:.0f} ms "
        f"(min {min(starts) * 1000:.0f}, max {max(starts) * 1000:.0f}; {len(starts)} runs)"
    )

    from simgame.runner import expert_policy
    from simgame.ui.pilot import Pilot

    pilot = Pilot.start(size=(1280, 720), scenario=SCENARIO)
    pilot.press("l")
    pilot.app.settle()  # as App.run does before its loop
    frame_times(pilot, 60, animate=False)  # warm caches
    idle = frame_times(pilot, 600, animate=False)
    moving = frame_times(pilot, 600, animate=True)
    print(
        f"frame time at 1280x720, {SCENARIO.stem}, idle: "
        f"median {statistics.median(idle):.2f} ms, "
        f"p99 {pct(idle, 0.99):.2f} ms"
    )
    print(
        f"frame time at 1280x720, {SCENARIO.stem}, animating: "
        f"median {statistics.median(moving):.2f} ms, "
        f"p99 {pct(moving, 0.99):.2f} ms"
    )
    layout = []
    session = pilot.app.session
    assert session is not None
    while not session.is_over:
        if pilot.screen.name == "feedback":
            pilot.press("enter")
            continue
        wanted = expert_policy(session).id
        number = next(v.number for v in session.choices() if v.id == wanted)
        t = time.perf_counter()
        pilot.press(str(number))
        layout.append((time.perf_counter() - t) * 1000)
        session = pilot.app.session
        assert session is not None
    print(
        f"a decision (choose, autosave, lay out the next scene, one frame): median "
        f"{statistics.median(layout):.1f} ms, max {max(layout):.1f} ms over {len(layout)} decisions"
    )
    print(f"resident memory after playing {SCENARIO.stem} to its debrief: {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
