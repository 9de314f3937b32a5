"""xAPI 1.0.3: statements from recorded sessions, an outbox in SQLite, and a small LRS client.

Statements have stable ids (uuid5 of the session's uid and the log entry's position), so
sending twice never stores twice: the outbox keeps each statement's body frozen, an LRS
that already holds an identical statement drops the copy, and `xapi_sent` remembers which
endpoint acknowledged what. The position in the log is used rather than the decision
number because an undo makes two different choices share one decision number.

Credentials come only from the caller (the CLI reads them from an environment variable);
they are never stored in the records or put into error messages.

The client is the standard library's urllib: the statement JSON is simple, and one fewer
dependency matters for a desktop game (tech notes §6.1).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from simgame.records import (
    DB_NAME,
    PlayRecord,
    RecordsError,
    SessionInfo,
    connect,
    entry_times,
    iso,
    list_sessions,
    read_log,
    records_dir,
    utc_now,
)
from simgame.scenario import Scenario
from simgame.session import Change, LogEntry

log = logging.getLogger(__name__)

XAPI_VERSION: Final = "1.0.3"
BASE: Final = "https://simgame.example/xapi"
"""Root of simgame's activity and extension IRIs. `.example` is reserved, so these can
never clash with a real site; a department may rewrite them when importing."""
NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, BASE)
PLAYER_HOME: Final = "https://simgame.example/players"

VERB_ANSWERED: Final = {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}}
VERB_COMPLETED: Final = {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}}
VERB_TOOK_BACK: Final = {"id": f"{BASE}/verbs/took-back", "display": {"en-US": "took back"}}
ACTIVITY_SIMULATION: Final = "http://adlnet.gov/expapi/activities/simulation"
ACTIVITY_INTERACTION: Final = "http://adlnet.gov/expapi/activities/cmi.interaction"


def ext(name: str) -> str:
    """An extension IRI of simgame's."""
    return f"{BASE}/extensions/{name}"


def scenario_iri(scenario_id: str) -> str:
    return f"{BASE}/scenarios/{urllib.parse.quote(scenario_id)}"


def scene_iri(scenario_id: str, scene: str) -> str:
    return f"{scenario_iri(scenario_id)}/scenes/{urllib.parse.quote(scene)}"


def statement_id(session_uid: str, seq: int) -> str:
    """Stable id of the statement for log entry `seq` of a session."""
    return str(uuid.uuid5(NAMESPACE, f"{session_uid}/{seq}"))


def _actor(player: str) -> dict[str, Any]:
    return {"objectType": "Agent", "name": player, "account": {"homePage": PLAYER_HOME, "name": player}}


def _context(info: SessionInfo) -> dict[str, Any]:
    return {
        "registration": info.uid,
        "contextActivities": {"parent": [{"objectType": "Activity", "id": scenario_iri(info.scenario_id)}]},
        "extensions": {
            ext("scenario-version"): info.scenario_version,
            ext("scenario-sha256"): info.scenario_sha256,
            ext("seed"): info.seed,
            ext("mode"): info.mode,
        },
    }


def _duration(seconds: float) -> str:
    return f"PT{max(0.0, seconds):.2f}S"


def build_statements(
    info: SessionInfo, log: Sequence[LogEntry], times: Sequence[str], scenario: Scenario | None = None
) -> list[dict[str, Any]]:
    """One statement per choice, per undo and per completion of a recorded session.

    `scenario`, when given, adds the scene's title, whether the choice matched the expert,
    and the choice's competency tags.
    """
    out = []
    for seq, e in enumerate(log):
        stamp = times[seq] if seq < len(times) else info.updated
        if e.kind == "choice_made":
            out.append(_decision(info, seq, e, stamp, scenario))
        elif e.kind == "undone":
            out.append(_undo(info, seq, e, stamp))
        elif e.kind == "ended":
            out.append(_completion(info, seq, e, stamp))
    return out


def _decision(info: SessionInfo, seq: int, e: LogEntry, stamp: str, scenario: Scenario | None) -> dict[str, Any]:
    definition: dict[str, Any] = {"type": ACTIVITY_INTERACTION, "interactionType": "choice", "name": {"en-US": e.scene}}
    result: dict[str, Any] = {
        "response": e.choice or "",
        "extensions": {
            ext("seq"): seq,
            ext("step"): e.step,
            ext("scene"): e.scene,
            ext("meters-change"): dict(e.change.meters),
            ext("trust-change"): dict(e.change.trust),
            ext("meters"): dict(e.meters),
            ext("trust"): dict(e.trust),
        },
    }
    scene = scenario.scenes.get(e.scene) if scenario is not None else None
    if scene is not None:
        definition["name"] = {"en-US": scene.title or scene.prompt or e.scene}
        choice = next((c for c in scene.choices if c.id == e.choice), None)
        if choice is not None:
            result["extensions"][ext("tags")] = list(choice.tags)
            result["extensions"][ext("breach")] = choice.breach is not None
        if scene.expert is not None:
            result["success"] = scene.expert.choice == e.choice
    if e.t is not None:
        result["extensions"][ext("t")] = e.t
    return {
        "id": statement_id(info.uid, seq),
        "actor": _actor(info.player),
        "verb": VERB_ANSWERED,
        "object": {"objectType": "Activity", "id": scene_iri(info.scenario_id, e.scene), "definition": definition},
        "result": result,
        "context": _context(info),
        "timestamp": stamp,
    }


def _undo(info: SessionInfo, seq: int, e: LogEntry, stamp: str) -> dict[str, Any]:
    scene, _, choice = (e.abandoned[0] if e.abandoned else f"{e.target}.{e.choice}").partition(".")
    return {
        "id": statement_id(info.uid, seq),
        "actor": _actor(info.player),
        "verb": VERB_TOOK_BACK,
        "object": {
            "objectType": "Activity",
            "id": scene_iri(info.scenario_id, scene),
            "definition": {"type": ACTIVITY_INTERACTION, "name": {"en-US": scene}},
        },
        "result": {"response": choice, "extensions": {ext("seq"): seq, ext("step"): e.step, ext("scene"): scene}},
        "context": _context(info),
        "timestamp": stamp,
    }


def _completion(info: SessionInfo, seq: int, e: LogEntry, stamp: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "completion": True,
        "duration": _duration(e.t if e.t is not None else info.duration_s),
        "extensions": {
            ext("ending"): e.scene,
            ext("band"): e.target,
            ext("meters"): dict(e.meters),
            ext("trust"): dict(e.trust),
            ext("seq"): seq,
            ext("step"): e.step,
        },
    }
    if info.outcome_scaled is not None and info.outcome_level is not None:
        # scaled: the weighted goal-attainment level mapped to 0..1 (0.5 = as expected)
        result["score"] = {"scaled": info.outcome_scaled, "raw": info.outcome_level, "min": -2, "max": 2}
    if info.process_band is not None:
        result["extensions"][ext("process-band")] = info.process_band
    return {
        "id": statement_id(info.uid, seq),
        "actor": _actor(info.player),
        "verb": VERB_COMPLETED,
        "object": {
            "objectType": "Activity",
            "id": scenario_iri(info.scenario_id),
            "definition": {"type": ACTIVITY_SIMULATION, "name": {"en-US": info.scenario_title}},
        },
        "result": result,
        "context": _context(info),
        "timestamp": stamp,
    }


# --- outbox ------------------------------------------------------------------------------------


def enqueue(
    con: sqlite3.Connection,
    *,
    scenarios: Callable[[str], Scenario | None] | None = None,
    now: Callable[[], str] | None = None,
) -> int:
    """Put every recorded entry's statement in the outbox (once); returns how many were new."""
    stamp = (now or (lambda: iso(utc_now())))()
    added = 0
    for info in list_sessions(con):
        done = con.execute(
            "SELECT COALESCE(MAX(seq), -1) FROM xapi_outbox WHERE session_id = ?", (info.id,)
        ).fetchone()[0]
        log = read_log(con, info.id)
        if len(log) - 1 <= done:
            continue
        sc = scenarios(info.scenario_id) if scenarios else None
        statements = build_statements(info, log, entry_times(con, info.id), sc)
        wanted = {statement_id(info.uid, seq) for seq in range(done + 1, len(log))}
        rows = [
            (s["id"], info.id, _seq_of(info, s["id"], len(log)), json.dumps(s), stamp)
            for s in statements
            if s["id"] in wanted
        ]
        con.execute("BEGIN IMMEDIATE")
        try:
            for row in rows:
                added += con.execute("INSERT OR IGNORE INTO xapi_outbox VALUES (?, ?, ?, ?, ?)", row).rowcount
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return added


def _seq_of(info: SessionInfo, sid: str, n: int) -> int:
    return next(seq for seq in range(n) if statement_id(info.uid, seq) == sid)


def pending(con: sqlite3.Connection, endpoint: str) -> list[tuple[str, dict[str, Any]]]:
    """Statements the endpoint has not acknowledged, oldest first."""
    rows = con.execute(
        "SELECT o.statement_id, o.body FROM xapi_outbox o WHERE NOT EXISTS (SELECT 1 FROM"
        " xapi_sent s WHERE s.statement_id = o.statement_id AND s.endpoint = ?"
        " AND s.sent IS NOT NULL) ORDER BY o.session_id, o.seq",
        (endpoint,),
    )
    return [(r[0], json.loads(r[1])) for r in rows]


def _mark(con: sqlite3.Connection, ids: Sequence[str], endpoint: str, *, sent: str | None, error: str | None) -> None:
    con.execute("BEGIN IMMEDIATE")
    try:
        for sid in ids:
            con.execute(
                "INSERT INTO xapi_sent (statement_id, endpoint, sent, attempts, last_error)"
                " VALUES (?, ?, ?, 1, ?) ON CONFLICT (statement_id, endpoint) DO UPDATE SET"
                " sent = excluded.sent, attempts = attempts + 1, last_error = excluded.last_error",
                (sid, endpoint, sent, error),
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


# --- LRS client --------------------------------------------------------------------------------


class LRSError(Exception):
    """The LRS could not be reached or refused a request."""

    def __init__(self, message: str, *, status: int | None = None, retry: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.retry = retry


@dataclass(frozen=True)
class LRS:
    """An xAPI endpoint with HTTP Basic credentials (held in memory only)."""

    endpoint: str
    user: str
    password: str
    timeout: float = 10.0

    def __post_init__(self) -> None:
        parts = urllib.parse.urlsplit(self.endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise LRSError(f"the endpoint {self.endpoint!r} is not an http(s) URL")
        if parts.username or parts.password:
            raise LRSError(
                "put the user name in --user and the password in an environment variable, not in the endpoint URL"
            )

    def __repr__(self) -> str:  # never show the password
        return f"LRS(endpoint={self.endpoint!r}, user={self.user!r})"

    def _url(self, path: str) -> str:
        return urllib.parse.urljoin(self.endpoint.rstrip("/") + "/", path)

    def _request(self, method: str, url: str, body: bytes | None = None) -> tuple[int, bytes]:
        token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        headers = {
            "X-Experience-API-Version": XAPI_VERSION,
            "Authorization": f"Basic {token}",
            "Accept": "application/json",
        }
        if body is not None:
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode("utf-8", "replace")
            raise LRSError(
                f"{method} {url}: HTTP {exc.code} {detail}", status=exc.code, retry=exc.code >= 500 or exc.code == 429
            ) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise LRSError(f"{method} {url}: cannot connect ({reason})", retry=True) from None

    def post(self, statements: Sequence[dict[str, Any]]) -> None:
        """Store statements (idempotent for identical statements with the same ids)."""
        self._request("POST", self._url("statements"), json.dumps(list(statements)).encode())

    def query(self, **params: str) -> Iterator[dict[str, Any]]:
        """Statements matching the query, following `more` links page by page."""
        url = self._url("statements") + ("?" + urllib.parse.urlencode(params) if params else "")
        while url:
            _, body = self._request("GET", url)
            page = json.loads(body)
            yield from page.get("statements", [])
            more = page.get("more")
            url = urllib.parse.urljoin(self.endpoint, more) if more else ""


@dataclass(frozen=True, slots=True)
class SendResult:
    sent: int
    pending: int
    error: str | None


def send_pending(
    con: sqlite3.Connection,
    lrs: LRS,
    *,
    batch: int = 50,
    retries: int = 3,
    backoff_s: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], str] | None = None,
) -> SendResult:
    """Send the outbox's unacknowledged statements in batches, retrying transient failures.

    A batch is marked sent only after the LRS accepted it; if the process dies in between,
    the next run sends the batch again and the LRS drops the identical copies.
    """
    stamp = now or (lambda: iso(utc_now()))
    todo = pending(con, lrs.endpoint)
    sent = 0
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        ids = [sid for sid, _ in chunk]
        for attempt in range(retries + 1):
            try:
                lrs.post([body for _, body in chunk])
                break
            except LRSError as exc:
                if not exc.retry or attempt == retries:
                    _mark(con, ids, lrs.endpoint, sent=None, error=str(exc))
                    return SendResult(sent, len(todo) - sent, str(exc))
                sleep(backoff_s * 2**attempt)
        _mark(con, ids, lrs.endpoint, sent=stamp(), error=None)
        sent += len(chunk)
    return SendResult(sent, 0, None)


# --- from an LRS back to plays ----------------------------------------------------------------


def _pairs(value: Any) -> tuple[tuple[str, int], ...]:
    if not isinstance(value, dict):
        return ()
    return tuple((str(k), int(v)) for k, v in value.items())


def plays_from_statements(statements: Sequence[dict[str, Any]], scenario_id: str) -> list[PlayRecord]:
    """Rebuild each registration's log from its statements (choices, undos, completion).

    Consequences and events are not sent as statements; the after-values carried by each
    decision and by the completion stand in for them, which is all the class report reads.
    """
    by_reg: dict[str, list[dict[str, Any]]] = defaultdict(list)
    parent = scenario_iri(scenario_id)
    for s in statements:
        ctx = s.get("context") or {}
        parents = [a.get("id") for a in (ctx.get("contextActivities") or {}).get("parent", [])]
        obj = (s.get("object") or {}).get("id")
        if ctx.get("registration") and (parent in parents or obj == parent):
            by_reg[ctx["registration"]].append(s)
    plays = []
    for reg, items in by_reg.items():
        items.sort(key=_seq)
        plays.append(_play(reg, items, scenario_id))
    plays.sort(key=lambda p: p.info.started, reverse=True)
    return plays


def _seq(s: dict[str, Any]) -> int:
    """The statement's position in its session's log: the order to replay it in."""
    exts = (s.get("result") or {}).get("extensions") or {}
    return int(exts.get(ext("seq"), 0))


def _play(reg: str, items: Sequence[dict[str, Any]], scenario_id: str) -> PlayRecord:
    log: list[LogEntry] = []
    first = items[0]
    ctx_ext = (first.get("context") or {}).get("extensions") or {}
    status, ending, band = "playing", None, None
    level = scaled = None
    for s in items:
        res = s.get("result") or {}
        x = res.get("extensions") or {}
        verb = s["verb"]["id"]
        if verb == VERB_ANSWERED["id"]:
            scene = x.get(ext("scene")) or s["object"]["id"].rsplit("/", 1)[-1]
            log.append(
                LogEntry(
                    "choice_made",
                    scene,
                    int(x.get(ext("step"), 0)),
                    res.get("response"),
                    None,
                    Change(_pairs(x.get(ext("meters-change"))), _pairs(x.get(ext("trust-change")))),
                    _pairs(x.get(ext("meters"))),
                    _pairs(x.get(ext("trust"))),
                    x.get(ext("t")),
                )
            )
        elif verb == VERB_TOOK_BACK["id"]:
            scene = x.get(ext("scene"), "")
            log.append(
                LogEntry(
                    "undone",
                    scene,
                    int(x.get(ext("step"), 0)),
                    res.get("response"),
                    scene,
                    abandoned=(f"{scene}.{res.get('response')}",),
                )
            )
        elif verb == VERB_COMPLETED["id"]:
            ending, band = x.get(ext("ending")), x.get(ext("band"))
            status = "ended"
            score = res.get("score") or {}
            level, scaled = score.get("raw"), score.get("scaled")
            log.append(
                LogEntry(
                    "ended",
                    ending or "",
                    int(x.get(ext("step"), 0)),
                    None,
                    band,
                    meters=_pairs(x.get(ext("meters"))),
                    trust=_pairs(x.get(ext("trust"))),
                )
            )
    actor = first.get("actor") or {}
    player = (actor.get("account") or {}).get("name") or actor.get("name") or "anonymous"
    info = SessionInfo(
        id=0,
        uid=reg,
        player=player,
        scenario_id=scenario_id,
        scenario_version=str(ctx_ext.get(ext("scenario-version"), "")),
        scenario_sha256=str(ctx_ext.get(ext("scenario-sha256"), "")),
        scenario_title="",
        scenario_path="",
        seed=int(ctx_ext.get(ext("seed"), 0)),
        mode=str(ctx_ext.get(ext("mode"), "")),
        frontend="lrs",
        status=status,
        started=first.get("timestamp", ""),
        updated=items[-1].get("timestamp", ""),
        ended=items[-1].get("timestamp") if status == "ended" else None,
        duration_s=0.0,
        ending=ending,
        band=band,
        outcome_level=level,
        outcome_scaled=scaled,
        process_score=None,
        process_band=None,
        choices=sum(e.kind == "choice_made" for e in log) - sum(e.kind == "undone" for e in log),
    )
    return PlayRecord(info, tuple(log))


def fetch_plays(lrs: LRS, scenario_id: str, *, since: str | None = None) -> list[PlayRecord]:
    """The class's plays of one scenario, read back from an LRS.

    Statements are filtered here rather than with the LRS's `activity` parameter: Ralph's
    file backend answers activity and verb filters with nothing (tech notes §6.2), and
    filtering locally works the same on every LRS.
    """
    params: dict[str, str] = {}
    if since:  # xAPI wants a full timestamp; a bare date means its start, in UTC
        params["since"] = f"{since}T00:00:00Z" if len(since) == 10 else since
    return plays_from_statements(list(lrs.query(**params)), scenario_id)


# --- sending as the game goes ------------------------------------------------------------------

LIVE_CONFIG: Final = "lrs.json"
"""In the records folder: where to send statements as a game is played (no password in it)."""


@dataclass(frozen=True, slots=True)
class LiveConfig:
    """An LRS to send to while playing; the password is read from `password_env` each time."""

    endpoint: str
    user: str
    password_env: str


def read_live_config(folder: Path) -> LiveConfig | None:
    """The configured LRS, or None when sending as you go is off (or the file is unreadable)."""
    try:
        raw = json.loads((folder / LIVE_CONFIG).read_text(encoding="utf-8"))
        return LiveConfig(str(raw["endpoint"]), str(raw["user"]), str(raw["password_env"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring %s: %s", folder / LIVE_CONFIG, exc)
        return None


def write_live_config(folder: Path, config: LiveConfig | None) -> None:
    """Turn sending as you go on (with where to send) or off (None)."""
    path = folder / LIVE_CONFIG
    if config is None:
        path.unlink(missing_ok=True)
        return
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(
        json.dumps({"endpoint": config.endpoint, "user": config.user, "password_env": config.password_env}, indent=1),
        encoding="utf-8",
    )
    tmp.replace(path)


class LiveSender:
    """Sends recorded statements as the game goes, in a background thread.

    `kick()` after each recorded decision; the thread opens its own database connection,
    queues the new statements and sends what is pending, so a slow or absent network never
    holds up a frame. A failure leaves the statements queued for the next kick or for
    `simgame xapi send`, which never duplicates them (stable statement ids).
    """

    def __init__(self, db_path: Path, lrs: LRS) -> None:
        self.db_path = db_path
        self.lrs = lrs
        self.last: SendResult | None = None
        self._lock = threading.Lock()
        self._again = False
        self._thread: threading.Thread | None = None

    @classmethod
    def from_config(cls, folder: Path | None = None) -> LiveSender | None:
        """A sender for the configured LRS, or None if none is configured or usable."""
        folder = records_dir() if folder is None else folder
        config = read_live_config(folder)
        if config is None:
            return None
        password = os.environ.get(config.password_env)
        if password is None:
            log.warning(
                "not sending to %s: the environment variable %s is not set", config.endpoint, config.password_env
            )
            return None
        try:
            lrs = LRS(config.endpoint, config.user, password, timeout=5.0)
        except LRSError as exc:
            log.warning("not sending: %s", exc)
            return None
        return cls(folder / DB_NAME, lrs)

    def kick(self) -> None:
        """Send what is new, now or as soon as the current send finishes."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                self._again = True
                return
            self._thread = threading.Thread(target=self._run, name="simgame-xapi", daemon=True)
            self._thread.start()

    def wait(self, timeout: float = 10.0) -> SendResult | None:
        """Let a send in progress finish (at quit), up to `timeout` seconds."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.last

    def _run(self) -> None:
        while True:
            try:
                con = connect(self.db_path)
                try:
                    enqueue(con)
                    self.last = send_pending(con, self.lrs, retries=1)
                finally:
                    con.close()
                if self.last.error:
                    log.info("statements stay queued: %s", self.last.error)
            except (sqlite3.Error, RecordsError, LRSError, OSError) as exc:
                log.info("statements stay queued: %s", exc)
            with self._lock:
                if not self._again:
                    return
                self._again = False
