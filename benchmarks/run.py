#!/usr/bin/env python3
"""Benchmark the product on generated corpora against bare baselines on the same machine.

For each size (claims) it generates a corpus (``benchmarks/generate.py``), then measures,
each stage in its own child process (so that its peak RSS is its own, read with
``os.wait4``):

=========  ==============================================  ========================================
stage      the product                                     the bare baseline
=========  ==============================================  ========================================
build      ``build_database(JsonlSeeds(corpus.jsonl))``    ``json.loads`` + ``sqlite3.executemany``
           (what ``provenance import`` runs): validation,  of the same sources, citations, claims,
           anchoring, inserts, analysis, FTS, checks       evidence and via rows, one transaction
anchoring  ``provenance.anchoring.locate`` per evidence    one ``str.find`` per quote
analysis   ``provenance.analysis.derive`` on a copy of     GROUP BY (status counts, stance
           the built database, derived tables dropped      conflicts), a self-join (value
                                                           conflicts), a recursive CTE (origins)
serve      ``/claim/ID`` and ``/claim/ID.json``            Datasette's row page
                                                           ``/provenance/claims/ID``
=========  ==============================================  ========================================

and checks correctness: every planted contradiction is found with its kind and claims, no
other contradiction is, no planted compatible pair is flagged, every evidence passage is
anchored (the normalised ones by normalisation), and every planted near miss is rejected by
``provenance import`` with its claim id. The checks print PASS or FAIL; the exit status is 1
if any check fails, 2 if a stage ran out of time (and nothing failed), else 0.

    python benchmarks/run.py                       # one small size (2000 claims)
    python benchmarks/run.py --sizes 10000,100000 --profile build,analysis
    python benchmarks/run.py --sizes 1000000 --stage-timeout 900 --skip serve

Results are printed as tables and written to ``benchmarks/results/<timestamp>.json`` (and
``--json PATH``). ``--profile STAGES`` samples the named product stages' call stacks (every
10 ms, also when the stage is stopped by its time limit) and reports the functions where
the time goes.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import traceback
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
_SCRIPT = Path(PYTHON).parent / "provenance"
PROVENANCE = [str(_SCRIPT)] if _SCRIPT.exists() else [PYTHON, "-m", "provenance"]
STAGES = ("build", "anchoring", "analysis", "serve")
_THIS = str(Path(__file__).resolve())
DEFAULT_WORK = Path(os.environ.get("TMPDIR", "/tmp")) / "provenance-bench"

# -- the child side: one stage, measured in its own process ------------------------------


class Sampler:
    """A sampling profiler: every ``interval`` s of CPU time (SIGPROF), the stack is recorded.

    The signal handler runs in the main thread between bytecodes, so time spent in C (SQLite)
    is charged to the Python function that called it; a thread-based sampler would instead
    see the main thread mostly where it releases the GIL. ``self`` counts the innermost
    frame, ``cumulative`` every function on the stack once. The aggregate is written to
    ``path`` every few seconds, so a stage stopped by its time limit still leaves its profile.
    """

    def __init__(self, path: Path, interval: float = 0.005):
        self.path = path
        self.interval = interval
        self.own: Counter = Counter()
        self.total: Counter = Counter()
        self.samples = 0
        self.names: dict = {}
        self.last_write = time.monotonic()
        self.busy = False

    def start(self) -> None:
        signal.signal(signal.SIGPROF, self._sample)
        signal.setitimer(signal.ITIMER_PROF, self.interval, self.interval)

    def _name(self, code) -> str | None:
        name = self.names.get(code, 0)
        if name == 0:
            name = None if code.co_filename == _THIS else f"{_short_path(code.co_filename)}:{code.co_firstlineno}({code.co_name})"
            self.names[code] = name
        return name

    def _sample(self, signum, frame) -> None:
        if self.busy:  # a signal arriving while the last one is handled (or the report written)
            return
        self.busy = True
        try:
            self._record(frame)
        finally:
            self.busy = False

    def _record(self, frame) -> None:
        self.samples += 1
        seen = set()
        first = True
        while frame is not None:
            key = self._name(frame.f_code)  # None: the harness's own frames, left out
            if key is not None:
                if first:
                    self.own[key] += 1
                    first = False
                if key not in seen:
                    self.total[key] += 1
                    seen.add(key)
            frame = frame.f_back
        if time.monotonic() - self.last_write > 5:
            self.last_write = time.monotonic()
            self.write()

    def report(self, top: int = 25) -> dict:
        n = max(1, self.samples)
        return {
            "samples": self.samples,
            "interval_s": self.interval,
            "vm_hwm_mb": _vm_hwm(os.getpid()),
            "self": [(k, round(100 * v / n, 1)) for k, v in self.own.most_common(top)],
            "cumulative": [(k, round(100 * v / n, 1)) for k, v in self.total.most_common(top)],
        }

    def write(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.report()), encoding="utf-8")
        os.replace(tmp, self.path)

    def finish(self) -> None:
        self.busy = True
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, signal.SIG_DFL)
        self.write()


def _short_path(filename: str) -> str:
    for marker in ("/site-packages/", "/lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    with contextlib.suppress(ValueError):
        return str(Path(filename).relative_to(ROOT))
    return filename


class Timer:
    """Seconds and calls accumulated by wrapped functions."""

    def __init__(self):
        self.seconds: Counter = Counter()
        self.calls: Counter = Counter()
        self.order: list[str] = []

    def wrap(self, module, name: str, label: str | None = None, classify=None):
        """Time calls of ``module.name`` (looked up at call time by the product); absent names are skipped."""
        original = getattr(module, name, None)
        if original is None:
            return None
        label = label or name
        self.order += classify.labels if classify else [label]

        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                key = classify(label, args) if classify else label
                self.seconds[key] += time.perf_counter() - started
                self.calls[key] += 1

        setattr(module, name, wrapper)
        return original

    def as_dict(self) -> dict:
        return {k: {"seconds": round(self.seconds[k], 3), "calls": self.calls[k]} for k in self.order if k in self.seconds}


def _by_length(long: str, short: str):
    """Tell normalise() calls on source texts from those on quotes, by the length of the argument."""

    def classify(label, args):
        return long if len(args[0]) > 2000 else short

    classify.labels = [long, short]
    return classify


def _jsonl_claims(path: Path):
    with open(path, "rb") as handle:
        for raw in handle:
            if raw.startswith(b'{"type": "claim"'):
                yield json.loads(raw)["record"]


def _jsonl_sources(path: Path) -> dict[str, Path]:
    """Source id -> text file, for sources held as text (texts beside the JSONL file)."""
    texts = {}
    with open(path, "rb") as handle:
        for raw in handle:
            if raw.startswith(b'{"type": "source"'):
                envelope = json.loads(raw)
                record = envelope["record"]
                if record.get("text"):
                    if "text_content" in envelope:
                        raise SystemExit("the benchmark needs texts beside the corpus (generate with --texts-beside)")
                    texts[record["id"]] = path.parent / record["text"]
            elif not raw.startswith(b'{"type": "source"') and texts:
                break
    return texts


def stage_build(a) -> dict:
    """The product's build, as ``provenance import`` runs it, with a breakdown by phase."""
    import provenance.anchoring as anchoring
    import provenance.build as build
    import provenance.seeds as seeds
    from provenance.exchange import JsonlSeeds

    try:
        import provenance.anchorer as anchorer
    except ImportError:  # an older commit
        anchorer = None

    timer = Timer()
    timer.wrap(build, "write_records", "validate + anchor + insert (write_records)")
    timer.wrap(build, "derive", "analysis (derive)")
    timer.wrap(build, "_finish", "full-text indexes + ANALYZE")
    timer.wrap(build, "_check", "integrity + foreign key checks")
    timer.wrap(build, "_replace", "fsync + rename")
    timer.wrap(build._Writer, "flush", "  of which: inserts (_Writer.flush)")
    timer.wrap(seeds, "locate", "  of which: anchoring (locate)")  # before anchoring moved to anchorer.py
    if anchorer is not None:
        # large corpora anchor in a second process: here, only the time spent waiting for it
        timer.wrap(anchorer, "anchor_jobs", "  of which: anchoring in this process (anchor_jobs)")
        timer.wrap(anchorer._FromWorker, "result", "  of which: waiting for the anchoring process")
    timer.wrap(
        anchoring, "normalise", classify=_by_length("  of which: normalising source texts", "  of which: normalising quotes")
    )
    timer.wrap(anchoring, "normalise_text", "  of which: normalising quotes (normalise_text)")
    if hasattr(seeds, "normalise_text"):  # the product's evidence ids normalise the quote
        timer.wrap(seeds, "normalise_text", "  of which: evidence ids (normalise quote)")
    else:
        timer.wrap(seeds, "normalise", "  of which: evidence ids (normalise quote)")
    db = Path(a.db)
    db.unlink(missing_ok=True)
    progress_file = db.parent / ".build.progress"
    started = time.perf_counter()

    def progress(topic: str) -> None:  # called as the claims of each topic start: how far a stopped build got
        progress_file.write_text(json.dumps({"seconds": round(time.perf_counter() - started, 1), "topic": topic}))

    result = build.build_database(JsonlSeeds(a.corpus / "corpus.jsonl"), db, progress=progress)
    progress_file.unlink(missing_ok=True)
    seconds = time.perf_counter() - started
    counts = result.counts
    rows = sum(counts.get(t, 0) for t in ("sources", "citations", "claims", "evidence", "evidence_via"))
    return {
        "seconds": seconds,
        "rows": rows,
        "claims": counts.get("claims", 0),
        "counts": counts,
        "breakdown": timer.as_dict(),
        "warnings": len(result.warnings),
        "db_bytes": db.stat().st_size,
        # CPU of the build's helper processes (anchoring, notes), on the second core
        "children_cpu_seconds": round(
            sum(getattr(resource.getrusage(resource.RUSAGE_CHILDREN), f) for f in ("ru_utime", "ru_stime")), 1
        ),
        "children_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),  # the largest helper's
    }


BASELINE_SCHEMA = """
create table sources (id text primary key, kind text, title text, authors text, issued text, origin text, text_path text, text text);
create table citations (id text primary key, source_id text, cited_id text, relation text, footnote integer, pages text, passage text);
create table claims (id text primary key, statement text, topic text, subject_id text, property_id text, value text, event_date text);
create table evidence (id text primary key, claim_id text, position integer, source_id text, stance text, quote text, locator text);
create table evidence_via (evidence_id text, citation_id text, primary key (evidence_id, citation_id));
"""


def stage_build_baseline(a) -> dict:
    """json.loads every line, read the texts, and executemany the same rows in one transaction."""
    db = Path(a.db)
    db.unlink(missing_ok=True)
    started = time.perf_counter()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.executescript(BASELINE_SCHEMA)
    conn.execute("BEGIN")
    inserting = 0.0
    buffers: dict[str, list[tuple]] = {t: [] for t in ("sources", "citations", "claims", "evidence", "evidence_via")}
    sql = {
        "sources": "insert into sources values (?, ?, ?, ?, ?, ?, ?, ?)",
        "citations": "insert into citations values (?, ?, ?, ?, ?, ?, ?)",
        "claims": "insert into claims values (?, ?, ?, ?, ?, ?, ?)",
        "evidence": "insert into evidence values (?, ?, ?, ?, ?, ?, ?)",
        "evidence_via": "insert into evidence_via values (?, ?)",
    }
    rows = 0
    texts: dict[Path, str] = {}

    def flush(table: str) -> None:
        nonlocal inserting, rows
        t0 = time.perf_counter()
        conn.executemany(sql[table], buffers[table])
        inserting += time.perf_counter() - t0
        rows += len(buffers[table])
        buffers[table].clear()

    def add(table: str, row: tuple) -> None:
        buffers[table].append(row)
        if len(buffers[table]) >= 10_000:
            flush(table)

    corpus = a.corpus / "corpus.jsonl"
    with open(corpus, "rb") as handle:
        for raw in handle:
            envelope = json.loads(raw)
            kind, r = envelope["type"], envelope["record"]
            if kind == "source":
                text = None
                if r.get("text"):
                    path = corpus.parent / r["text"]
                    if path not in texts:
                        texts[path] = path.read_text(encoding="utf-8")
                    text = texts[path]
                add(
                    "sources",
                    (
                        r["id"],
                        r["kind"],
                        r["title"],
                        json.dumps(r.get("authors", [])),
                        r.get("issued"),
                        r["origin"],
                        r.get("text"),
                        text,
                    ),
                )
            elif kind == "citation":
                add(
                    "citations",
                    (
                        r["id"],
                        r["source"],
                        r["cites"],
                        r.get("relation", "cites"),
                        r.get("footnote"),
                        r.get("pages"),
                        r.get("passage"),
                    ),
                )
            elif kind == "claim":
                value = json.dumps(r["value"]) if "value" in r else None
                add(
                    "claims",
                    (
                        r["id"],
                        r["statement"],
                        envelope.get("topic"),
                        r.get("subject"),
                        r.get("property"),
                        value,
                        r.get("event_date"),
                    ),
                )
                for position, e in enumerate(r.get("evidence", []), start=1):
                    eid = f"{r['id']}-{position}"
                    add("evidence", (eid, r["id"], position, e["source"], e["stance"], e["quote"], e["locator"]))
                    for via in e.get("via", []):
                        add("evidence_via", (eid, via))
    for table in buffers:
        flush(table)
    conn.execute("COMMIT")
    conn.close()
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": rows,
        "breakdown": {"executemany": {"seconds": round(inserting, 3), "calls": 0}},
        "db_bytes": db.stat().st_size,
    }


def stage_anchoring(a) -> dict:
    """provenance.anchoring.locate for every evidence passage; only the calls are timed."""
    import provenance.anchoring as anchoring

    timer = Timer()
    timer.wrap(anchoring, "normalise", classify=_by_length("of which: normalising source texts", "of which: normalising quotes"))
    timer.wrap(anchoring, "normalise_text", "of which: normalising quotes (normalise_text)")
    corpus = a.corpus / "corpus.jsonl"
    paths = _jsonl_sources(corpus)
    texts: dict[Path, anchoring.SourceText] = {}  # one per distinct text: its normalised forms are computed once
    seconds = 0.0
    n = failures = 0
    methods: Counter = Counter()
    for claim in _jsonl_claims(corpus):
        for e in claim.get("evidence", []):
            path = paths[e["source"]]
            text = texts.get(path)
            if text is None:
                text = texts[path] = anchoring.SourceText(path.read_text(encoding="utf-8"))
            t0 = time.perf_counter()
            try:
                anchor = anchoring.locate(e["quote"], text, e.get("occurrence"))
                methods[anchor.method] += 1
            except anchoring.QuoteProblem:
                failures += 1
            seconds += time.perf_counter() - t0
            n += 1
    return {
        "seconds": seconds,
        "rows": n,
        "failures": failures,
        "methods": dict(methods),
        "breakdown": timer.as_dict(),
        "distinct_texts": len(texts),
    }


def stage_anchoring_baseline(a) -> dict:
    """One str.find per quote, in the same texts."""
    corpus = a.corpus / "corpus.jsonl"
    paths = _jsonl_sources(corpus)
    texts: dict[Path, str] = {}
    seconds = 0.0
    n = found = 0
    for claim in _jsonl_claims(corpus):
        for e in claim.get("evidence", []):
            path = paths[e["source"]]
            text = texts.get(path)
            if text is None:
                text = texts[path] = path.read_text(encoding="utf-8")
            quote = e["quote"]
            t0 = time.perf_counter()
            at = text.find(quote)
            seconds += time.perf_counter() - t0
            found += at >= 0
            n += 1
    return {"seconds": seconds, "rows": n, "found": found}


def _writable_copy(source: Path, target: Path) -> sqlite3.Connection:
    shutil.copyfile(source, target)
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    return conn


def stage_analysis(a) -> dict:
    """derive() alone, on a copy of the built database with the derived tables dropped."""
    import sqlite_utils

    from provenance.analysis import database as analysis
    from provenance.tables import DERIVED_TABLES

    copy = Path(a.db).with_name("analysis.db")
    conn = _writable_copy(Path(a.db), copy)
    try:
        for name in DERIVED_TABLES:
            conn.execute(f"drop table if exists [{name}]")
        claims = conn.execute("select count(*) from claims").fetchone()[0]
        evidence = conn.execute("select count(*) from evidence").fetchone()[0]
        db = sqlite_utils.Database(conn)
        timer = Timer()
        timer.wrap(analysis, "_analyse_claim", "per claim: origins, status, chains (_analyse_claim)")
        timer.wrap(analysis, "chain_hops", "  of which: chains (chain_hops)")
        timer.wrap(analysis, "walk", "  of which: origins (walk)")  # cached per (source, citation) by _Trails
        timer.wrap(analysis, "_value_conflicts", "value conflicts (_value_conflicts)")
        timer.wrap(analysis, "_Corpus", "reading the corpus (_Corpus)")
        if hasattr(analysis, "_Batches"):
            timer.wrap(analysis._Batches, "flush", "inserts (_Batches.flush)")
        if hasattr(analysis, "_Trails"):  # chain links and origins, one join per batch
            timer.wrap(analysis._Trails, "flush", "chain links + origins (_Trails.flush)")
        conn.execute("BEGIN")
        started = time.perf_counter()
        counts = analysis.derive(db)
        seconds = time.perf_counter() - started
        conn.execute("COMMIT")
    finally:
        conn.close()
        copy.unlink(missing_ok=True)
    return {"seconds": seconds, "rows": claims, "evidence": evidence, "counts": counts, "breakdown": timer.as_dict()}


BASELINE_ANALYSIS = {
    "status counts (GROUP BY claim_id, stance)": """
create temp table b_status as
select claim_id,
       count(distinct case when stance = 'supports' then source_id end) as supporting_sources,
       count(distinct case when stance = 'conflicts' then source_id end) as conflicting_sources,
       count(distinct case when stance = 'qualifies' then source_id end) as qualifying_sources,
       count(distinct case when stance = 'reports' then source_id end) as reporting_sources,
       sum(stance = 'supports') as supporting_evidence,
       sum(stance = 'conflicts') as conflicting_evidence
from evidence group by claim_id""",
    "stance conflicts (HAVING)": """
create temp table b_stance as
select claim_id from b_status where supporting_evidence > 0 and conflicting_evidence > 0""",
    "value conflicts (self-join on subject, property)": """
create temp table b_conflicts as
select a.id as a_id, b.id as b_id
from claims a
join claims b on b.subject_id = a.subject_id and b.property_id = a.property_id and b.id > a.id
join properties p on p.id = a.property_id
where p.multiple = 0 and (
     (a.value_kind = 'date' and (a.value_date_latest < b.value_date_earliest or b.value_date_latest < a.value_date_earliest))
  or (a.value_kind = 'number' and abs(a.value_number - b.value_number) > max(coalesce(a.value_tolerance, 0), coalesce(b.value_tolerance, 0))
      and not (a.event_date_latest < b.event_date_earliest or b.event_date_latest < a.event_date_earliest))
  or (a.value_kind = 'entity' and a.value_entity_id <> b.value_entity_id
      and not exists (select 1 from aliases x join aliases y on lower(x.name) = lower(y.name)
                      where x.entity_id = a.value_entity_id and y.entity_id = b.value_entity_id))
  or (a.value_kind = 'text' and lower(trim(a.value_text)) <> lower(trim(b.value_text))))""",
    "origins (recursive CTE over citations)": """
create temp table b_origins as
with recursive
  deriv(source_id, cited_id) as (
    select source_id, cited_id from citations where relation in ('quotes', 'summarises', 'translates', 'version-of')),
  starts(evidence_id, node) as (
    select v.evidence_id, c.cited_id from evidence_via v join citations c on c.id = v.citation_id
    union all
    select e.id, e.source_id from evidence e where not exists (select 1 from evidence_via v where v.evidence_id = e.id)),
  walk(start, node) as (
    select distinct node, node from starts
    union
    select w.start, d.cited_id from walk w join deriv d on d.source_id = w.node)
select distinct s.evidence_id, w.node as origin_id
from starts s join walk w on w.start = s.node
where not exists (select 1 from deriv d where d.source_id = w.node)""",
}


def stage_analysis_baseline(a) -> dict:
    copy = Path(a.db).with_name("analysis-baseline.db")
    conn = _writable_copy(Path(a.db), copy)
    try:
        claims = conn.execute("select count(*) from claims").fetchone()[0]
        breakdown = {}
        conn.execute("BEGIN")
        started = time.perf_counter()
        for label, sql in BASELINE_ANALYSIS.items():
            t0 = time.perf_counter()
            conn.execute(sql)
            table = sql.split("create temp table ")[1].split()[0]
            breakdown[label] = {
                "seconds": round(time.perf_counter() - t0, 3),
                "calls": conn.execute(f"select count(*) from {table}").fetchone()[0],
            }
        seconds = time.perf_counter() - started
        conn.execute("COMMIT")
    finally:
        conn.close()
        copy.unlink(missing_ok=True)
    return {"seconds": seconds, "rows": claims, "breakdown": breakdown}


def _sample_claim_ids(db: Path, n: int, seed: int) -> list[str]:
    import random

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        total = conn.execute("select max(rowid) from claims").fetchone()[0]
        rowids = random.Random(seed).sample(range(1, total + 1), min(total, n))
        return [r[0] for r in conn.execute(f"select id from claims where rowid in ({','.join(map(str, rowids))})")]
    finally:
        conn.close()


def stage_claim_page(a) -> dict:
    """What /claim/ID computes (provenance.pages.claim_context), in-process, without HTTP or templates."""
    from provenance import pages

    ids = _sample_claim_ids(Path(a.db), 210, a.seed or 1)
    conn = sqlite3.connect(f"file:{a.db}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    latencies = []
    for cid in ids[200:]:  # warm up (imports, page cache) on claims not measured
        pages.claim_context(conn, cid)
    for cid in ids[:200]:
        t0 = time.perf_counter()
        pages.claim_context(conn, cid)
        latencies.append(time.perf_counter() - t0)
    conn.close()
    latencies.sort()
    return {
        "seconds": sum(latencies),
        "rows": len(latencies),
        "median_ms": round(1000 * statistics.median(latencies), 2),
        "p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 2),
    }


def stage_generate(a) -> dict:
    sys.path.insert(0, str(HERE))
    import generate

    args = generate.build_parser().parse_args(
        ["--claims", str(a.claims), "--seed", str(a.seed), "--texts-beside", "--out", str(a.corpus)]
    )
    started = time.perf_counter()
    manifest = generate.generate(args)
    return {"seconds": time.perf_counter() - started, "rows": manifest["counts"]["claims"], "counts": manifest["counts"]}


CHILD_STAGES = {
    "generate": stage_generate,
    "build": stage_build,
    "build-baseline": stage_build_baseline,
    "anchoring": stage_anchoring,
    "anchoring-baseline": stage_anchoring_baseline,
    "analysis": stage_analysis,
    "analysis-baseline": stage_analysis_baseline,
    "claim-page": stage_claim_page,
}


def child_main(a) -> int:
    sampler = Sampler(Path(a.profile_out)) if a.profile_out else None
    if sampler:
        sampler.start()
    try:
        result = CHILD_STAGES[a.stage](a)
    except BaseException as ex:  # report, so the parent can show what broke
        result = {"error": f"{type(ex).__name__}: {ex}", "traceback": traceback.format_exc()[-4000:]}
    if sampler:
        sampler.finish()
        result["profile"] = sampler.report()
    # VmHWM is this process's own peak; ru_maxrss would also count the parent's memory at fork
    result["vm_hwm_mb"] = _vm_hwm(os.getpid())
    print("\n" + json.dumps(result, default=str))
    return 0


# -- the parent side ------------------------------------------------------------------------


def run_child(stage: str, corpus: Path, db: Path, timeout: float, profile: Path | None = None, **extra) -> dict:
    """Run one stage in a fresh process; add its wall time, peak RSS and exit status."""
    cmd = [PYTHON, str(Path(__file__).resolve()), "--stage", stage, "--corpus", str(corpus), "--db", str(db)]
    for key, value in extra.items():
        cmd += [f"--{key.replace('_', '-')}", str(value)]
    if profile:
        cmd += ["--profile-out", str(profile)]
    out_path = db.parent / f".{stage}.out"
    load = round(os.getloadavg()[0], 2)  # other work on the machine skews the figures: recorded
    code = code_version()["commit"] if stage != "generate" else None
    started = time.perf_counter()
    with open(out_path, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=str(ROOT), start_new_session=True)
        deadline = started + timeout
        status = usage = None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)  # the child's own process group, started above
                _, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = -9
                text = out_path.read_text(errors="replace")
                result = {
                    "timeout": True,
                    "loadavg_1m_before": load,
                    "wall_seconds": round(time.perf_counter() - started, 1),
                    "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
                    "output_tail": text[-2000:],
                }
                if profile and profile.exists():
                    result["profile"] = json.loads(profile.read_text())
                    result["peak_rss_mb"] = result["profile"].get("vm_hwm_mb") or result["peak_rss_mb"]  # as of its last write
                    profile.unlink()
                progress = db.parent / f".{stage}.progress"
                if progress.exists():
                    result["progress"] = json.loads(progress.read_text())
                    progress.unlink()
                return result
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    text = out_path.read_text(errors="replace")
    out_path.unlink(missing_ok=True)
    if profile:
        profile.unlink(missing_ok=True)
    lines = [line for line in text.splitlines() if line.startswith("{")]
    try:
        result = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        result = {"error": f"exit status {proc.returncode}", "output_tail": text[-3000:]}
    result["wall_seconds"] = round(wall, 2)
    result["rusage_maxrss_mb"] = round(usage.ru_maxrss / 1024, 1)
    result["peak_rss_mb"] = result.get("vm_hwm_mb") or result["rusage_maxrss_mb"]
    result["loadavg_1m_before"] = load
    result["commit"] = code
    if "seconds" in result and result.get("rows"):
        result["rows_per_s"] = round(result["rows"] / max(result["seconds"], 1e-9))
    return result


def fmt_num(x) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:,.2f}" if x < 100 else f"{x:,.0f}"
    return f"{x:,}"


def print_table(headers: list[str], rows: list[list]) -> None:
    cells = [[str(c) for c in headers]] + [[c if isinstance(c, str) else fmt_num(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for k, r in enumerate(cells):
        print("  " + "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))))
        if k == 0:
            print("  " + "  ".join("-" * w for w in widths))


# -- correctness --------------------------------------------------------------------------


def check_correctness(corpus: Path, db: Path, timeout: float) -> dict:
    manifest = json.loads((corpus / "manifest.json").read_text())
    checks: dict[str, dict] = {}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        from provenance.analysis import Signal, group_signals

        # one record per disagreement: the planted signals that share a claim are one record
        found: dict[tuple[frozenset, frozenset], str] = {}
        for cid, signals in conn.execute("select id, signals from contradictions"):
            members = frozenset(
                r[0]
                for r in conn.execute(
                    "select claim_id from contradiction_members where contradiction_id = ? and role = 'claim'", [cid]
                )
            )
            found[(frozenset(json.loads(signals)), members)] = cid
        grouped = group_signals(Signal(p["kind"], tuple(p["claims"]), "") for p in manifest["planted_contradictions"])
        planted = {(frozenset(d.kinds), frozenset(d.claims)) for d in grouped}
        missing = planted - set(found)
        unexpected = set(found) - planted
        checks["planted contradictions found"] = {
            "ok": not missing,
            "detail": f"{len(planted) - len(missing)} of {len(planted)} found"
            + (f"; missing: {sorted((sorted(k), sorted(m)) for k, m in missing)[:5]}" if missing else ""),
        }
        checks["no unplanted contradictions"] = {
            "ok": not unexpected,
            "detail": f"{len(found)} found, {len(unexpected)} not planted"
            + (f": {sorted((sorted(k), sorted(m)) for k, m in unexpected)[:5]}" if unexpected else ""),
        }
        flagged = []
        for pair in manifest["planted_compatible"]:
            claims = set(pair["claims"])
            for (_, members), cid in found.items():
                if claims & members and (len(claims) == 1 or len(claims & members) >= 2):
                    flagged.append((pair["kind"], sorted(claims), cid))
        checks["compatible pairs not flagged"] = {
            "ok": not flagged,
            "detail": f"{len(manifest['planted_compatible'])} pairs, {len(flagged)} flagged"
            + (f": {flagged[:5]}" if flagged else ""),
        }
        # a planted dissent is contested (or refuted), unless every dissenting source is too weak
        # to contest (the generator grades sources and passages at random): then it is named as weak dissent
        status = {c: (s, w) for c, s, w in conn.execute("select claim_id, status, weak_dissent from claim_status")}
        wrong = [
            (p["claims"][0], status.get(p["claims"][0]))
            for p in manifest["planted_contradictions"]
            if p["kind"] == "stance-conflict" and status[p["claims"][0]][0] != "contested" and not status[p["claims"][0]][1]
        ]
        wrong += [
            (p["claims"][0], status.get(p["claims"][0]))
            for p in manifest["planted_compatible"]
            if p["kind"] == "refuted-only" and status[p["claims"][0]][0] != "refuted" and not status[p["claims"][0]][1]
        ]
        checks["planted statuses (contested, refuted)"] = {
            "ok": not wrong,
            "detail": f"{len(wrong)} wrong" + (f": {wrong[:5]}" if wrong else ""),
        }
        counts = manifest["counts"]
        evidence = conn.execute("select count(*) from evidence").fetchone()[0]
        methods = dict(conn.execute("select anchor_method, count(*) from evidence group by anchor_method"))
        claims = conn.execute("select count(*) from claims").fetchone()[0]
        ok = (
            evidence == counts["evidence"]
            and claims == counts["claims"]
            and methods.get("normalised", 0) == counts["evidence_normalised"]
            and None not in methods
        )
        checks["every passage anchored"] = {
            "ok": ok,
            "detail": f"{claims} claims, {evidence} evidence ({methods.get('exact', 0)} exact, {methods.get('normalised', 0)} normalised); "
            f"generated {counts['claims']} claims, {counts['evidence']} evidence ({counts['evidence_normalised']} to be found normalised)",
        }
    finally:
        conn.close()
    near = manifest["near_misses"]
    if near:
        target = db.parent / "near-misses.db"
        target.unlink(missing_ok=True)
        proc = subprocess.run(
            [*PROVENANCE, "import", str(corpus / "near-misses.jsonl"), "-o", str(target)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=str(ROOT),
        )
        output = proc.stdout + proc.stderr
        rejected = [
            m["claim"] for m in near if f"{m['claim']}: evidence[1].quote: the quote is not in the source's text" in output
        ]
        ok = proc.returncode != 0 and not target.exists() and len(rejected) == len(near)
        checks["near misses rejected"] = {
            "ok": ok,
            "detail": f"{len(rejected)} of {len(near)} rejected with their claim id (exit status {proc.returncode})",
        }
        target.unlink(missing_ok=True)
    return checks


# -- serving ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _vm_hwm(pid: int) -> float | None:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def measure_serve(db: Path, requests: int, levels: list[int], seed: int) -> dict:
    import httpx

    sys.path.insert(0, str(ROOT))
    from provenance.publish import datasette_args, write_metadata

    metadata = write_metadata(db.parent / "metadata.json", db.stem)
    port = _free_port()
    cmd = [PYTHON, "-m", "datasette"] + datasette_args(db, metadata, "127.0.0.1", port)
    log = open(db.parent / "datasette.log", "w")
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=str(ROOT), start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    result: dict = {"command": " ".join(cmd[1:]), "requests_per_level": requests}
    try:
        started = time.perf_counter()
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"datasette exited: {(db.parent / 'datasette.log').read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/-/versions.json", timeout=2).status_code == 200:
                    break
            if time.perf_counter() - started > 120:
                raise RuntimeError("datasette did not start within 120 s")
            time.sleep(0.2)
        result["startup_s"] = round(time.perf_counter() - started, 2)
        # every (endpoint, level) asks for claims of its own, so that no measurement is served
        # from caches warmed by an earlier one (ids repeat only when the corpus is too small)
        slices = 5 * len(levels) + 1
        ids = _sample_claim_ids(db, slices * requests, seed)
        db_name = db.stem
        endpoints = {
            "claim page /claim/ID": lambda cid: f"/claim/{cid}",
            "claim JSON /claim/ID.json": lambda cid: f"/claim/{cid}.json",
            f"row page /{db_name}/claims/ID": lambda cid: f"/{db_name}/claims/{cid}",
            f"row JSON /{db_name}/claims/ID.json": lambda cid: f"/{db_name}/claims/{cid}.json",
            # no database, no template: what the client and Datasette's routing cost by themselves
            "floor /robots.txt": lambda cid: "/robots.txt",
        }
        measured: dict[str, dict] = {}
        with httpx.Client(
            base_url=base, timeout=60, limits=httpx.Limits(max_connections=max(levels), max_keepalive_connections=max(levels))
        ) as client:
            for path in endpoints.values():  # warm up every endpoint (templates, imports), with ids of its own
                for cid in ids[:10]:
                    client.get(path(cid))
            k = 0
            for name, path in endpoints.items():
                for level in levels:
                    k += 1
                    urls = [path(ids[(k * requests + i) % len(ids)]) for i in range(requests)]

                    def fetch(url: str) -> tuple[float, int, int]:
                        t0 = time.perf_counter()
                        response = client.get(url)
                        return time.perf_counter() - t0, response.status_code, len(response.content)

                    t0 = time.perf_counter()
                    with ThreadPoolExecutor(max_workers=level) as pool:
                        outcomes = list(pool.map(fetch, urls))
                    wall = time.perf_counter() - t0
                    latencies = sorted(o[0] for o in outcomes)
                    errors = sum(1 for o in outcomes if o[1] != 200)
                    measured[f"{name} @{level}"] = {
                        "endpoint": name,
                        "concurrency": level,
                        "requests": len(outcomes),
                        "errors": errors,
                        "median_ms": round(1000 * statistics.median(latencies), 2),
                        "p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 2),
                        "max_ms": round(1000 * latencies[-1], 2),
                        "requests_per_s": round(len(outcomes) / wall, 1),
                        "mean_bytes": round(sum(o[2] for o in outcomes) / len(outcomes)),
                    }
        row_name = f"row page /{db_name}/claims/ID"
        for entry in measured.values():
            row = measured[f"{row_name} @{entry['concurrency']}"]
            entry["ratio_median_to_row_page"] = round(entry["median_ms"] / max(row["median_ms"], 1e-6), 2)
        result["levels"] = measured
        result["server_peak_rss_mb"] = _vm_hwm(server.pid)
    finally:
        server.terminate()  # our own child, by its id
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    return result


# -- the run ------------------------------------------------------------------------------


def machine() -> dict:
    import importlib.metadata as md

    versions = {}
    for name in ("datasette", "sqlite-utils", "pydantic", "rapidfuzz", "httpx"):
        with contextlib.suppress(md.PackageNotFoundError):
            versions[name] = md.version(name)
    mem = None
    with contextlib.suppress(OSError, ValueError):
        mem = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    cpu = platform.processor()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": mem,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "packages": versions,
    }


def code_version() -> dict:
    """The commit of the product measured, and whether its package files differ from it (read-only git)."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    changed = git("status", "--porcelain", "--", "provenance", "datasette_plugins")
    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "uncommitted_package_changes": len(changed.splitlines()) if changed else 0,
    }


def _corpus_ready(corpus: Path, claims: int, seed: int) -> bool:
    path = corpus / "manifest.json"
    if not path.exists() or not (corpus / "corpus.jsonl").exists():
        return False
    manifest = json.loads(path.read_text())
    p = manifest.get("parameters", {})
    return (
        manifest["counts"]["claims"] == claims and p.get("seed") == seed and p.get("texts_beside") and p.get("format") == "jsonl"
    )


def stage_row(label: str, product: dict | None, baseline: dict | None) -> list:
    def get(d, key):
        return None if d is None or "seconds" not in d else d.get(key)

    p_s, b_s = get(product, "seconds"), get(baseline, "seconds")
    if product and product.get("timeout"):
        reached = product.get("progress")
        where = f", reached {reached['topic']} at {reached['seconds']:.0f}s" if reached else ""
        return [
            label,
            "-",
            f">{product['wall_seconds']:.0f} (time limit{where})",
            "-",
            product.get("peak_rss_mb"),
            fmt_num(b_s),
            fmt_num(get(baseline, "rows_per_s")),
            get(baseline, "peak_rss_mb") if baseline else "-",
            "-",
        ]
    if product and "error" in product:
        return [label, "-", "error", "-", "-", "-", "-", "-", "-"]
    ratio = f"{p_s / b_s:.1f}x" if p_s and b_s else "-"
    return [
        label,
        get(product, "rows"),
        round(p_s, 2) if p_s is not None else None,
        get(product, "rows_per_s"),
        product.get("peak_rss_mb") if product else None,
        round(b_s, 3) if b_s is not None else None,
        get(baseline, "rows_per_s"),
        baseline.get("peak_rss_mb") if baseline else None,
        ratio,
    ]


def run_size(claims: int, a, work: Path) -> dict:
    corpus = work / f"corpus-{claims}"
    db = corpus / "provenance.db"
    out: dict = {"claims": claims, "stages": {}, "code": code_version()}
    print(
        f"\n== {claims:,} claims == (product at commit {out['code']['commit']}, {out['code']['uncommitted_package_changes']} uncommitted package files)",
        flush=True,
    )

    def profile_for(stage: str) -> Path | None:
        if stage not in a.profile and not (stage == "claim-page" and "serve" in a.profile):  # product stages only
            return None
        return corpus / f".{stage}.profile.json"  # read into the results, then removed

    def child(stage: str, **extra) -> dict:
        print(f"  {stage} ...", end="", flush=True)
        result = run_child(stage, corpus, db, a.stage_timeout, profile_for(stage), **extra)
        out["stages"][stage] = result
        note = (
            "TIME LIMIT"
            if result.get("timeout")
            else "error: " + result["error"]
            if "error" in result
            else f"{result.get('seconds', 0):.2f}s"
        )
        print(f" {note} (peak RSS {result.get('peak_rss_mb')} MB)", flush=True)
        if "error" in result and result.get("traceback"):
            print(result["traceback"], file=sys.stderr)
        return result

    if not _corpus_ready(corpus, claims, a.seed):
        shutil.rmtree(corpus, ignore_errors=True)
        corpus.mkdir(parents=True)
        child("generate", claims=claims, seed=a.seed)
    else:
        print("  generate: reusing", corpus, flush=True)
    manifest = json.loads((corpus / "manifest.json").read_text())
    out["corpus"] = manifest["counts"]
    built = False
    if "build" not in a.skip:
        r = child("build")
        built = "seconds" in r
        child("build-baseline", db_name="baseline")
    elif db.exists():
        built = True
    if built:
        out["checks"] = check_correctness(corpus, db, a.stage_timeout)
        for name, c in out["checks"].items():
            print(f"  {'PASS' if c['ok'] else 'FAIL'}  {name}: {c['detail']}", flush=True)
    else:
        out["checks"] = {"database built": {"ok": None, "detail": "not checked: the build did not finish"}}
        print("  NOT CHECKED: the build did not finish", flush=True)
    if "anchoring" not in a.skip:
        child("anchoring")
        child("anchoring-baseline")
    if built and "analysis" not in a.skip:
        child("analysis")
        child("analysis-baseline")
    if built and "serve" not in a.skip:
        child("claim-page", seed=a.seed)
        print("  serve ...", end="", flush=True)
        try:
            out["serve"] = measure_serve(db, a.requests, a.concurrency, a.seed)
            print(f" done (server peak RSS {out['serve'].get('server_peak_rss_mb')} MB)", flush=True)
        except Exception as ex:
            out["serve"] = {"error": f"{type(ex).__name__}: {ex}"}
            print(" error:", ex, flush=True)
    report_size(out)
    if not a.keep:
        for name in ("provenance.db", "baseline.db", "analysis.db", "analysis-baseline.db"):
            (corpus / name).unlink(missing_ok=True)
    return out


def report_size(out: dict) -> None:
    s = out["stages"]
    print(
        f"\n  {out['claims']:,} claims: seconds, rows/s and peak RSS (MB) of each stage's process; ratio = product time / baseline time"
    )
    rows = []
    if "generate" in s:
        g = s["generate"]
        rows.append(
            [
                "generate (benchmark tool)",
                g.get("rows"),
                g.get("seconds"),
                g.get("rows_per_s"),
                g.get("peak_rss_mb"),
                "-",
                "-",
                "-",
                "-",
            ]
        )
    labels = {
        "build": "build (import: validate, anchor, insert, analyse, FTS)",
        "anchoring": "anchoring: locate per evidence",
        "analysis": "analysis: derive on a copy",
    }
    for stage, label in labels.items():
        if stage in s or f"{stage}-baseline" in s:
            rows.append(stage_row(label, s.get(stage), s.get(f"{stage}-baseline")))
    print_table(["stage", "rows", "s", "rows/s", "RSS MB", "baseline s", "baseline rows/s", "baseline RSS MB", "ratio"], rows)
    for stage in ("build", "anchoring", "analysis", "build-baseline", "analysis-baseline"):
        b = s.get(stage, {}).get("breakdown")
        if b:
            print(
                f"    {stage} breakdown: "
                + "; ".join(
                    f"{k.strip()} {v['seconds']:.2f}s" + (f" ({v['calls']:,} calls)" if v["calls"] else "") for k, v in b.items()
                )
            )
        if s.get(stage, {}).get("children_cpu_seconds"):
            print(
                f"    {stage}: CPU of its helper processes (second core) {s[stage]['children_cpu_seconds']:.1f}s, "
                f"largest helper's peak RSS {s[stage].get('children_peak_rss_mb')} MB"
            )
    serve = out.get("serve")
    if serve and "levels" in serve:
        print(
            f"\n  serving (datasette --immutable, 127.0.0.1; {serve['requests_per_level']} requests per level; server peak RSS {serve.get('server_peak_rss_mb')} MB)"
        )
        print_table(
            ["endpoint", "concurrency", "median ms", "p95 ms", "req/s", "errors", "median / row page"],
            [
                [
                    v["endpoint"],
                    v["concurrency"],
                    v["median_ms"],
                    v["p95_ms"],
                    v["requests_per_s"],
                    v["errors"],
                    f"{v['ratio_median_to_row_page']:.1f}x",
                ]
                for v in serve["levels"].values()
            ],
        )
    page = s.get("claim-page")
    if page and "median_ms" in page:
        print(
            f"  claim_context in-process (no HTTP, no template), {page['rows']} claims: median {page['median_ms']} ms, p95 {page['p95_ms']} ms (peak RSS {page['peak_rss_mb']} MB)"
        )
    for stage, r in s.items():
        if r.get("profile") and r["profile"].get("samples"):
            print(
                f"\n  profile of {stage} ({r['profile']['samples']} samples, one per {r['profile']['interval_s'] * 1000:.0f} ms of CPU): % of samples"
            )
            print("    self:       " + "\n                ".join(f"{pct:5.1f}%  {k}" for k, pct in r["profile"]["self"][:12]))
            print(
                "    cumulative: " + "\n                ".join(f"{pct:5.1f}%  {k}" for k, pct in r["profile"]["cumulative"][:20])
            )


def parent_main(a) -> int:
    a.stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    a.results_dir = HERE / "results"
    a.results_dir.mkdir(exist_ok=True)
    work = a.work
    work.mkdir(parents=True, exist_ok=True)
    results = {
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        # paths inside the checkout are written relative to it, so a result names no one machine's folders
        "arguments": {k: str(v).replace(str(HERE.parent) + "/", "") for k, v in vars(a).items()},
        "sizes": {},
    }
    print(
        f"machine: {results['machine']['cpus']} CPUs ({results['machine']['cpu']}), {results['machine']['memory_gb']} GB, Python {results['machine']['python']}, SQLite {results['machine']['sqlite']}"
    )
    failed = timed_out = False
    try:
        for claims in a.sizes:
            size = run_size(claims, a, work)
            results["sizes"][str(claims)] = size
            failed |= any(c["ok"] is False for c in size["checks"].values())
            failed |= any("error" in r for r in size["stages"].values()) or "error" in size.get("serve", {})
            timed_out |= any(r.get("timeout") for r in size["stages"].values()) or any(
                c["ok"] is None for c in size["checks"].values()
            )
    finally:
        results["finished"] = dt.datetime.now().isoformat(timespec="seconds")
        paths = [a.results_dir / f"{a.stamp}.json"] + ([a.json] if a.json else [])
        for path in paths:
            path.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
        print(f"\nresults: {', '.join(map(str, paths))}")
        if not a.keep and a.work == DEFAULT_WORK:
            shutil.rmtree(work, ignore_errors=True)
    if failed:
        print("FAIL: a correctness check failed or a stage broke")
        return 1
    if timed_out:
        print("INCOMPLETE: a stage ran out of time; see above")
        return 2
    print("PASS: all correctness checks")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1],
    )
    p.add_argument("--sizes", default="2000", help="comma-separated numbers of claims (default 2000), e.g. 10000,100000,1000000")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", type=Path, help="also write the results here")
    p.add_argument(
        "--work",
        type=Path,
        default=DEFAULT_WORK,
        help=f"where corpora and databases go (default {DEFAULT_WORK}; removed at the end unless --keep)",
    )
    p.add_argument(
        "--keep", action="store_true", help="keep corpora and databases (a later run reuses a corpus of the same size and seed)"
    )
    p.add_argument("--skip", default="", help=f"comma-separated stages not to run: {', '.join(STAGES)}")
    p.add_argument(
        "--profile", default="", help="comma-separated product stages to profile by sampling: build, anchoring, analysis"
    )
    p.add_argument("--stage-timeout", type=float, default=900, help="seconds before a stage is stopped (default 900)")
    p.add_argument("--requests", type=int, default=200, help="requests per endpoint and concurrency level (default 200)")
    p.add_argument("--concurrency", default="1,8,32", help="concurrency levels (default 1,8,32)")
    # the child side
    p.add_argument("--stage", choices=sorted(CHILD_STAGES), help=argparse.SUPPRESS)
    p.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--db-name", help=argparse.SUPPRESS)
    p.add_argument("--claims", type=int, help=argparse.SUPPRESS)
    p.add_argument("--profile-out", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.stage:
        sys.path.insert(0, str(ROOT))
        if a.db_name:
            a.db = a.db.with_name(f"{a.db_name}.db")
        return child_main(a)
    a.sizes = [int(s.replace("_", "")) for s in a.sizes.split(",") if s]
    a.skip = {s for s in a.skip.split(",") if s}
    a.profile = {s for s in a.profile.split(",") if s}
    a.concurrency = [int(c) for c in a.concurrency.split(",") if c]
    unknown = (a.skip | a.profile) - set(STAGES)
    if unknown:
        p.error(f"unknown stage(s): {', '.join(sorted(unknown))}")
    return parent_main(a)


if __name__ == "__main__":
    sys.exit(main())
