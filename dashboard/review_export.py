"""The review's meeting pack as PDF: ``POST /review/pack`` starts a job, ``GET /review/pack/<job>``
reports its step, ``GET /review/pack/<job>/file`` sends the PDF.

A job runs in a background thread: collecting numbers (the same view the page draws, or a frozen
edition), drawing charts (a static HTML page, see ``views.review_print``) and printing (headless
Chromium, its own process group, killed at the timeout). Its state is a small JSON file in a
folder every worker process can read, so a poll answered by another gunicorn worker finds it,
and a job whose worker died is reported failed once its deadline has passed: never a hang.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import plotly
from flask import Flask, Response, current_app, jsonify, request, send_file

from dashboard.errors import DashboardError, InvalidFilter, StoreUnavailable
from dashboard.pages._shared import page_filters
from dashboard.state import get_state
from dashboard.views.review import ReviewView, build_review, review_from_payload
from dashboard.views.review_editions import compare_with_latest
from dashboard.views.review_print import pack_html

log = logging.getLogger(__name__)
EXTENSION = "review_pack_jobs"
STEPS = ("collecting numbers", "drawing charts", "printing")
PACK_TIMEOUT_S = 120.0  # the whole job, queueing for a printer included
PRINT_TIMEOUT_S = 90.0  # one Chromium run
VIRTUAL_TIME_MS = 20_000  # Chromium's budget for loading the page and drawing every chart
KEEP_S = 3600.0  # finished jobs and their PDFs are removed after an hour
CONCURRENT_PRINTS = 2
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
JOB_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


class PackFailed(DashboardError):
    """The pack could not be made; the message says why and what to do."""


def find_chromium(candidates: tuple[str, ...] = CHROMIUM_CANDIDATES) -> str | None:
    """The first Chromium found: an absolute path that exists, or a name on the PATH."""
    for candidate in candidates:
        found = candidate if os.path.isabs(candidate) and os.access(candidate, os.X_OK) else shutil.which(candidate)
        if found:
            return found
    return None


def print_pdf(html_path: Path, pdf_path: Path, chromium: str | None, timeout_s: float = PRINT_TIMEOUT_S) -> None:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium; raises :class:`PackFailed`."""
    if not chromium:
        raise PackFailed("The PDF pack needs Chromium on the server (Debian: apt-get install chromium); none was found.")
    profile = html_path.parent / "chromium-profile"
    command = [
        chromium,
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-extensions",
        "--disable-background-networking",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",
        f"--virtual-time-budget={VIRTUAL_TIME_MS}",
        f"--print-to-pdf={pdf_path}",
        html_path.as_uri(),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, errors = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # Chromium's helpers share its new process group
        process.communicate()
        raise PackFailed(f"Printing took longer than {timeout_s:g} s and was stopped; try again, or a shorter period.") from None
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if process.returncode != 0 or not pdf_path.exists() or pdf_path.read_bytes()[:5] != b"%PDF-":
        log.error("Chromium failed (%s): %s", process.returncode, errors.decode(errors="replace")[-500:])
        raise PackFailed("Chromium could not print the pack; the server log has its message.")


@dataclasses.dataclass
class PackJobs:
    """Meeting-pack jobs kept as files under ``root`` (shared by the workers of one host)."""

    root: Path = dataclasses.field(default_factory=lambda: Path(tempfile.gettempdir()) / "qdash-review-packs")
    chromium: str | None = dataclasses.field(default_factory=find_chromium)
    timeout_s: float = PACK_TIMEOUT_S
    print_timeout_s: float = PRINT_TIMEOUT_S
    printers: threading.BoundedSemaphore = dataclasses.field(
        default_factory=lambda: threading.BoundedSemaphore(CONCURRENT_PRINTS)
    )

    def _write(self, job: str, **state: Any) -> None:
        folder = self.root / job
        current = self.status(job) or {}
        body = {**current, **state, "job": job}
        temporary = folder / "status.json.tmp"
        temporary.write_text(json.dumps(body), encoding="utf-8")
        os.replace(temporary, folder / "status.json")

    def status(self, job: str) -> dict | None:
        """The job's state, or None for an unknown job; a job past its deadline is failed."""
        if not JOB_ID.fullmatch(job):
            return None
        try:
            state = json.loads((self.root / job / "status.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if state.get("state") == "running" and time.time() > state.get("deadline", 0) + 5:
            state = {**state, "state": "failed", "message": f"The pack was not ready within {self.timeout_s:g} s; try again."}
        return state

    def pdf(self, job: str) -> Path | None:
        """The finished PDF of ``job``, if any."""
        state = self.status(job)
        return self.root / job / "pack.pdf" if state and state.get("state") == "done" else None

    def _sweep(self) -> None:
        if not self.root.exists():
            return
        for folder in self.root.iterdir():
            if folder.is_dir() and time.time() - folder.stat().st_mtime > KEEP_S:
                shutil.rmtree(folder, ignore_errors=True)

    def create(self, filename: str) -> str:
        """A new job's id, its folder and its first state."""
        self._sweep()
        job = secrets.token_urlsafe(18)
        (self.root / job).mkdir(parents=True, exist_ok=False)
        self._write(
            job,
            state="running",
            step=0,
            steps=list(STEPS),
            message="Starting",
            filename=filename,
            deadline=time.time() + self.timeout_s,
        )
        return job

    def run(self, job: str, build: Callable[[], ReviewView], base_url: str = "") -> None:
        """Make the pack of ``job`` (blocking): every failure becomes a failed state with a message."""
        folder = self.root / job
        deadline = float((self.status(job) or {}).get("deadline", time.time() + self.timeout_s))
        try:
            self._write(job, step=1, message=f"{STEPS[0].capitalize()}…")
            view = build()
            self._write(job, step=2, message=f"{STEPS[1].capitalize()}…")
            page = folder / "pack.html"
            page.write_text(pack_html(view, PLOTLY_JS.as_uri(), base_url), encoding="utf-8")
            self._write(job, step=3, message=f"{STEPS[2].capitalize()}…")
            if not self.printers.acquire(timeout=max(0.0, deadline - time.time())):
                raise PackFailed("Other packs are being printed; try again in a minute.")
            try:
                print_pdf(page, folder / "pack.pdf", self.chromium, min(self.print_timeout_s, max(1.0, deadline - time.time())))
            finally:
                self.printers.release()
            self._write(job, state="done", message="Ready", href=f"/review/pack/{job}/file")
        except DashboardError as error:
            log.warning("Review pack %s failed: %s", job, error)
            self._write(job, state="failed", message=str(error))
        except Exception:
            log.exception("Review pack %s failed", job)
            self._write(job, state="failed", message="The pack could not be made; the server log has the details.")

    def start(self, build: Callable[[], ReviewView], filename: str, base_url: str = "") -> str:
        """Start a job in a background thread; returns its id at once."""
        job = self.create(filename)
        threading.Thread(target=self.run, args=(job, build, base_url), name=f"review-pack-{job[:6]}", daemon=True).start()
        return job


def _builder(params: dict[str, str]) -> tuple[Callable[[], ReviewView], str]:
    """What a job builds for the page's parameters, and the file's name; raises InvalidFilter."""
    page = page_filters(params)
    if page.parsed.problems:
        raise InvalidFilter(" ".join(page.parsed.problems))
    state, app = get_state(), current_app._get_current_object()  # type: ignore[attr-defined]
    filters = page.parsed.filters
    raw = params.get("edition", "")
    name = f"review_{filters.start_date}_{filters.end_date}" + (f"_{filters.plant_id}" if filters.plant_id else "")
    if raw:
        if not raw.isdigit() or len(raw) > 9:
            raise InvalidFilter(f"'{raw[:20]}' is not an edition number.")
        edition_id = int(raw)

        def frozen() -> ReviewView:
            with app.app_context():
                edition = state.store.edition(edition_id)
                if edition is None:
                    raise InvalidFilter(f"There is no edition {edition_id}.")
                return review_from_payload(edition.payload, edition)

        return frozen, f"review_edition-{edition_id}.pdf"

    def live() -> ReviewView:
        with app.app_context():
            view = build_review(filters, state.repository, state.store)
            try:
                diff = compare_with_latest(state.store, view)
            except StoreUnavailable:
                return view  # the pack is still worth having without the comparison
            return dataclasses.replace(view, changes=diff.as_dict()) if diff else view

    return live, "".join(c if c.isalnum() or c in "-_." else "-" for c in name) + "_live.pdf"


def install_review_export(server: Flask, jobs: PackJobs | None = None) -> None:
    """Register the meeting-pack routes on ``server`` (once: a second call does nothing)."""
    if EXTENSION in server.extensions:
        return
    server.extensions[EXTENSION] = jobs or PackJobs()

    def registry() -> PackJobs:
        return server.extensions[EXTENSION]

    @server.post("/review/pack")
    def start_pack() -> tuple[Response, int]:
        if not request.is_json:  # a cross-site form cannot send JSON without a CORS preflight
            return jsonify({"state": "failed", "message": "No pack: send the page's query as JSON."}), 415
        body = request.get_json(silent=True) or {}
        search = body.get("search") if isinstance(body, dict) else None
        params = dict(parse_qsl(search.lstrip("?"))) if isinstance(search, str) and len(search) < 2000 else {}
        try:
            build, filename = _builder(params)
        except DashboardError as error:
            return jsonify({"state": "failed", "message": f"No pack: {error}"}), 400
        job = registry().start(build, filename, request.host_url)
        return jsonify(registry().status(job)), 202

    @server.get("/review/pack/<job>")
    def pack_status(job: str) -> tuple[Response, int]:
        state = registry().status(job)
        if state is None:
            return jsonify({"state": "failed", "message": "No such pack; export it again."}), 404
        return jsonify(state), 200

    @server.get("/review/pack/<job>/file")
    def pack_file(job: str) -> Response:
        path = registry().pdf(job)
        if path is None:
            return Response("No such pack; export it again.\n", status=404, mimetype="text/plain")
        name = str(registry().status(job).get("filename", "review.pdf"))
        response = send_file(path, mimetype="application/pdf", as_attachment=True, download_name=name, max_age=0)
        response.headers["Cache-Control"] = "no-store"
        return response
