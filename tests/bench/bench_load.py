"""The shared queue under load: many annotator processes claiming, submitting, abandoning.

PostgreSQL: 50 processes, each its own login (SCRAM over TCP), over 5,000 clips with overlap
2 (10,000 slots); one claim in ten is abandoned (the process stops renewing its lease and
moves on), so the slot must come back when the lease runs out. SQLite: 8 processes on one
file over 1,000 clips with overlap 2, the same claims in BEGIN IMMEDIATE transactions.

Checked, not only timed: no annotator holds two slots of a clip, every slot ends with
exactly one submission and every submission a worker was told succeeded is in the
database as written; the audit chain verifies.
pg_claims_per_s: claims (new leases handed out) per second of the run, all workers together,
  from the first claim to the last (the workers' start-up left out; the wait for abandoned
  leases to run out, in).
pg_claim_ms_p95: 95th percentile of one claim as a worker sees it (round trip included).
sqlite_claims_per_s: the same on one SQLite file with 8 workers.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tui"))

LEASE = 2.0  # seconds: short, so abandoned slots come back within the run
ABANDON = 0.10


def _worker(target: str, user: str | None, seed: int, done: Any, out: Any) -> None:
    try:
        out.put(_work(target, user, seed, done))
    except Exception as exc:  # noqa: BLE001  (reported by the coordinator as a figure)
        out.put((f"error: {type(exc).__name__}: {exc}", [], [], (0, 0), (0.0, 0.0)))


def _work(target: str, user: str | None, seed: int, done: Any) -> tuple:
    from earmark.store import open_store
    from earmark.store.queue import LeaseLost

    refused = busy = 0
    store: Any = open_store(target) if user is None else _sqlite(target)
    store.lease_seconds = LEASE
    me = store.me if user is None else user
    rng = random.Random(seed)
    claims: list[float] = []
    span = (0.0, 0.0)  # wall clock at this worker's first claim's start and last claim's end
    submitted: list[tuple[int, str]] = []
    abandoned: dict[int, float] = {}  # clip -> until when this worker stays away from it
    while not done.is_set():
        now = time.monotonic()
        abandoned = {c: t for c, t in abandoned.items() if t > now}
        t0 = time.perf_counter()
        try:
            cid = store.claim_next(me, avoid=abandoned)
        except sqlite3.OperationalError as exc:  # waited past the busy timeout: try again
            if "locked" not in str(exc):
                raise
            busy += 1
            continue
        if cid is None:
            if hasattr(store, "wait_for_work"):
                store.wait_for_work(0.2)
            else:
                time.sleep(0.05)
            continue
        claims.append(time.perf_counter() - t0)
        span = (span[0] or time.time() - claims[-1], time.time())
        if rng.random() < ABANDON:
            store.forget(cid)  # walks away: the lease runs out on its own
            abandoned[cid] = now + 3 * LEASE
            continue
        text = f"clip {cid} heard by {me} {secrets.token_hex(3)}"
        try:
            store.submit(cid, text, me, 1.0)
        except LeaseLost:  # refused, as it must be: someone else holds the clip now
            refused += 1
            continue
        except sqlite3.OperationalError as exc:  # not saved (rolled back): the clip comes back
            if "locked" not in str(exc):
                raise
            busy += 1
            continue
        submitted.append((cid, text))
    store.close()
    return (me, claims, submitted, (refused, busy), span)


def _sqlite(path: str) -> Any:
    from earmark.store import open_store

    return open_store(Path(path), create=False)


def _run(targets: list[tuple[str, str | None]], check_left: Any, timeout: float) -> dict:
    ctx = mp.get_context("spawn")
    done, out = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(t, u, i, done, out), daemon=True)
        for i, (t, u) in enumerate(targets)
    ]
    for p in procs:
        p.start()
    started = time.perf_counter()
    while check_left() > 0 and time.perf_counter() - started < timeout:
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    done.set()
    results = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    errors = [me for me, *_ in results if me.startswith("error:")]
    if errors:
        raise RuntimeError(f"{len(errors)} workers failed, first: {errors[0]}")
    claims = [c for _, cs, *_ in results for c in cs]
    submitted = {(me, cid): text for me, _, subs, *_ in results for cid, text in subs}
    refused = sum(r for *_, (r, _), _ in results)
    busy = sum(b for *_, (_, b), _ in results)
    spans = [sp for *_, sp in results if sp[0]]
    # claims per second from the first claim to the last (process start-up left out)
    working = max(e for _, e in spans) - min(b for b, _ in spans) if spans else elapsed
    return {
        "elapsed": elapsed,
        "working": working,
        "claims": claims,
        "submitted": submitted,
        "left": check_left(),
        "refused": refused,
        "busy": busy,
    }


def _pg(quick: bool) -> dict[str, float]:
    import psycopg

    from earmark.store.clips import NewClip
    from earmark.store.postgres import open_postgres

    n_clips, workers = (500, int(os.environ.get("EMK_LOAD_WORKERS", 20))) if quick else (5000, 50)
    admin_dsn = os.environ.get("EARMARK_TEST_PG", "dbname=postgres")
    admin = psycopg.connect(admin_dsn, autocommit=True)
    name = f"emk_load_{secrets.token_hex(4)}"
    admin.execute(f"CREATE DATABASE {name}")
    logins = []
    try:
        lead = open_postgres(f"postgresql:///{name}", create=True)
        batch = lead.batch_id("load", overlap=2)
        with lead.bulk():  # as `earmark import`: the planner learns the queue's size after
            lead.add_clips(
                batch, [NewClip(name=f"c{i}", audio=f"/a/{i}.wav") for i in range(n_clips)]
            )
        targets = []
        for i in range(workers):
            user, password = f"emkload_{name[-8:]}_{i}", secrets.token_hex(10)
            admin.execute(
                f"CREATE ROLE {user} LOGIN PASSWORD '{password}' IN ROLE earmark_annotator"
            )
            logins.append(user)
            targets.append((f"host=127.0.0.1 dbname={name} user={user} password={password}", None))
        watch = psycopg.connect(f"dbname={name}", autocommit=True)

        def left() -> int:
            row = watch.execute(
                "SELECT count(*) FROM earmark.slots WHERE state NOT IN ('done', 'skipped')"
            ).fetchone()
            return int(row[0]) if row else 0

        run = _run(targets, left, timeout=600)
        rows = watch.execute(
            "SELECT clip_id, annotator, text FROM earmark.slots WHERE state = 'done'"
        ).fetchall()
        per_clip: dict[int, list[str]] = {}
        for clip_id, annotator, _ in rows:
            per_clip.setdefault(clip_id, []).append(annotator)
        in_db = {(a, c): t for c, a, t in rows}
        verdict = lead.audit_verify()
        lead.close()
        watch.close()
        return {
            "pg_workers": workers,
            "pg_clips": n_clips,
            "pg_claims": len(run["claims"]),
            "pg_claims_per_s": round(len(run["claims"]) / run["working"], 1),
            "pg_claim_ms_p95": round(statistics.quantiles(run["claims"], n=20)[18] * 1000, 2),
            "pg_claim_ms_median": round(statistics.median(run["claims"]) * 1000, 2),
            "pg_run_s": round(run["elapsed"], 1),
            "pg_slots_left": run["left"],
            "pg_double_assigned": sum(len(v) - len(set(v)) for v in per_clip.values()),
            "pg_clips_not_exactly_2": sum(1 for v in per_clip.values() if len(v) != 2)
            + (n_clips - len(per_clip)),
            "pg_lost_submissions": sum(1 for k, t in run["submitted"].items() if in_db.get(k) != t),
            "pg_audit_ok": int(verdict.ok),
            "pg_submits_refused_lease_lost": run["refused"],
        }
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        for user in logins:
            admin.execute(f"DROP ROLE IF EXISTS {user}")
        admin.close()


def _sqlite_figures(quick: bool) -> dict[str, float]:

    from earmark.store import open_store
    from earmark.store.clips import NewClip

    n_clips, workers = (300, 4) if quick else (1000, 8)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "load.db"
        store = open_store(path)
        store.ensure_user("lead")
        store.batch_id("load")
        store.set_batch_settings("load", actor="lead", overlap=2)
        store.add_clips(
            store.batch_id("load"), [NewClip(name=f"c{i}", audio=f"/a/{i}") for i in range(n_clips)]
        )
        store.close()
        watch = sqlite3.connect(path)

        def left() -> int:
            first = watch.execute(
                "SELECT count(*) FROM clips WHERE status NOT IN ('done', 'skipped')"
            ).fetchone()[0]
            extra = watch.execute(
                "SELECT count(*) FROM slots WHERE state NOT IN ('done', 'skipped')"
            ).fetchone()[0]
            return int(first) + int(extra)

        run = _run([(str(path), f"w{i}") for i in range(workers)], left, timeout=600)
        revisions = watch.execute(
            "SELECT clip_id, annotator, count(*) FROM revisions GROUP BY clip_id, annotator"
            " HAVING count(*) <> 1"
        ).fetchall()
        watch.close()
        store = open_store(path)
        done = list(store.annotations())
        verdict = store.audit_verify()
        store.close()
        in_db = {(a.annotator, a.clip_id): a.text for a in done}
        per_clip: dict[int, list[str]] = {}
        for a in done:
            per_clip.setdefault(a.clip_id, []).append(a.annotator)
        return {
            "sqlite_workers": workers,
            "sqlite_claims": len(run["claims"]),
            "sqlite_claims_per_s": round(len(run["claims"]) / run["working"], 1),
            "sqlite_claim_ms_p95": round(statistics.quantiles(run["claims"], n=20)[18] * 1000, 2),
            "sqlite_slots_left": run["left"],
            "sqlite_double_assigned": sum(len(v) - len(set(v)) for v in per_clip.values()),
            "sqlite_clips_not_exactly_2": sum(1 for v in per_clip.values() if len(v) != 2)
            + (n_clips - len(per_clip)),
            "sqlite_slots_submitted_twice": len(revisions),
            "sqlite_lost_submissions": sum(
                1 for k, t in run["submitted"].items() if in_db.get(k) != t
            ),
            "sqlite_audit_ok": int(verdict.ok),
            "sqlite_submits_refused_lease_lost": run["refused"],
            "sqlite_busy_timeouts": run["busy"],
        }


def figures(quick: bool) -> dict[str, Any]:
    # the machine's load when measured: on a shared machine the figures move with it
    out: dict[str, Any] = {"load_1m_before": round(os.getloadavg()[0], 1), "cpus": os.cpu_count()}
    try:
        out.update(_pg(quick))
    except ImportError as exc:
        out["pg_error"] = f"psycopg missing: {exc}"
    except Exception as exc:  # noqa: BLE001  (no server: say so, still run SQLite)
        out["pg_error"] = " ".join(str(exc).split())[:200]
    try:
        out.update(_sqlite_figures(quick))
    except Exception as exc:  # noqa: BLE001  (reported as a figure, like the server's)
        out["sqlite_error"] = " ".join(str(exc).split())[:200]
    out["load_1m_after"] = round(os.getloadavg()[0], 1)
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(figures("--quick" in sys.argv), sort_keys=True))
