"""Drive a real JupyterLab in a real Chromium, the way a learner meets a notebook.

`JupyterLab` starts an isolated server on loopback (its own config, settings, runtime and
workspace folders, serving a throw-away copy of the notebooks) and always stops it and its
kernels. `NotebookPage` wraps a Playwright page with the few things the browser test does:
open a notebook, Run All Cells, wait, list what went wrong, read and move an explorer's
sliders. The selectors and waits are the ones that proved reliable with JupyterLab 4.
"""
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

INSTALL_HINT = ("`pip install playwright` (it comes with the `test` extra) installs Playwright; "
                "`sudo apt-get install chromium` (Debian, Ubuntu) or `python -m playwright install "
                "chromium` (elsewhere) installs Chromium")

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]

# User settings that keep the UI quiet (no news pop-up over the cells), draw every cell (no
# virtual scrolling that leaves cells off screen empty) and never save behind the test's back.
QUIET_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
}

# Text a learner would see when something went wrong.
BROKEN_WIDGET_TEXTS = ["Loading widget", "Error displaying widget", "Error rendering output"]


def find_chromium():
    """Path of a Chromium to drive: the system's, else Playwright's own download, else None."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    try:
        from playwright.sync_api import sync_playwright
        with sync_playwright() as playwright:
            path = playwright.chromium.executable_path
    except Exception:
        return None
    return path if path and os.path.exists(path) else None


def missing_requirements():
    """Why the browser tests cannot run here (a message with the fix), or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return f"the browser tests need the Python package playwright and Chromium: {INSTALL_HINT}"
    if find_chromium() is None:
        return f"the browser tests need Chromium, which was not found: {INSTALL_HINT}"
    return None


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process_tree(process, timeout=15):
    """SIGTERM ``process`` (a JupyterLab server shuts its kernels down on it), wait, then kill
    whatever is left of it and of its children (kernels run in sessions of their own)."""
    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)
    _, alive = psutil.wait_procs(children, timeout=5)
    for child in alive:
        child.kill()
    psutil.wait_procs(alive, timeout=5)


class JupyterLab:
    """A JupyterLab server serving the folder ``root`` (a copy, never the tracked notebooks),
    with its config, settings, runtime and workspace folders under ``workdir``.

    Use as a context manager: the server and its kernels are stopped on exit, also after errors.
    """

    def __init__(self, root, workdir, python_path=(), start_timeout=180):
        self.root = Path(root)
        self.workdir = Path(workdir)
        self.python_path = [str(p) for p in python_path]
        self.start_timeout = start_timeout
        self.port = None
        self.process = None
        self.token = secrets.token_hex(16)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def start(self):
        folders = {name: self.workdir / name
                   for name in ("config", "data", "runtime", "settings", "workspaces", "ipython")}
        for folder in folders.values():
            folder.mkdir(parents=True, exist_ok=True)
        for plugin, settings in QUIET_SETTINGS.items():
            package, name = plugin.rsplit("/", 1)
            path = folders["settings"] / package / f"{name}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(settings))
        env = dict(os.environ,
                   JUPYTER_CONFIG_DIR=str(folders["config"]),
                   JUPYTER_DATA_DIR=str(folders["data"]),
                   JUPYTER_RUNTIME_DIR=str(folders["runtime"]),
                   IPYTHONDIR=str(folders["ipython"]),
                   PYTHONPATH=os.pathsep.join(
                       self.python_path + [p for p in [os.environ.get("PYTHONPATH")] if p]))
        env.pop("MPLBACKEND", None)  # the notebooks choose `%matplotlib inline` themselves
        self.port = free_port()
        command = [sys.executable, "-m", "jupyterlab", "--no-browser",
                   "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
                   "--ServerApp.port_retries=0", f"--ServerApp.root_dir={self.root}",
                   "--LabApp.expose_app_in_browser=True", f"--IdentityProvider.token={self.token}",
                   "--PasswordIdentityProvider.hashed_password=",
                   f"--LabServerApp.user_settings_dir={folders['settings']}",
                   f"--LabServerApp.workspaces_dir={folders['workspaces']}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        self.log_path = self.workdir / "jupyterlab.log"
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(command, env=env, cwd=self.root, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_until_ready(self):
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.process.returncode}:\n"
                                   f"{self.log_tail()}")
            try:
                with self.api("GET", "status", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.25)
        raise RuntimeError(f"JupyterLab did not answer on {self.url} within "
                           f"{self.start_timeout} s:\n{self.log_tail()}")

    def log_tail(self, lines=30):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def shut_down_kernels(self):
        """End every session's kernel, so a finished notebook holds no memory."""
        with self.api("GET", "sessions") as response:
            sessions = json.load(response)
        for session in sessions:
            self.api("DELETE", f"sessions/{session['id']}").close()

    def api(self, method, endpoint, timeout=30):
        """Call the server's REST API (``endpoint`` after /api/); returns the open response."""
        request = urllib.request.Request(f"{self.url}/api/{endpoint}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        return urllib.request.urlopen(request, timeout=timeout)

    def stop(self):
        if self.process is not None:
            stop_process_tree(self.process)
            self.process = None


def launch_chromium(playwright):
    """A headless Chromium that works as root on a closed network."""
    return playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS,
                                      headless=True)


# The notebook on show (JupyterLab hides, but keeps, other tabs' panels).
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"

# JavaScript run in the page. With `LabApp.expose_app_in_browser` the app is `window.jupyterapp`;
# its notebook model says exactly which outputs are errors (in the page, an error and a warning
# are both just red text).
_ERRORS_IN_MODEL = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const cells = panel.content.model.cells;
    const found = [];
    for (let i = 0; i < cells.length; i++) {
        const cell = cells.get(i);
        if (cell.type !== 'code') continue;
        for (const output of cell.outputs.toJSON()) {
            if (output.output_type === 'error') {
                found.push(`cell ${i}: ${output.ename}: ${output.evalue}`);
            }
        }
    }
    return found;
}"""

_PROMPTS = """() => Array.from(
    document.querySelectorAll('%s .jp-CodeCell .jp-InputPrompt'),
    prompt => prompt.textContent.trim())""" % NOTEBOOK

# Finished when no cell is running and every code cell ran, or the run stopped at an error.
_RUN_FINISHED = """() => {
    const prompts = (%s)();
    if (prompts.some(p => p === '[*]:')) return false;
    if (prompts.every(p => /^\\[\\d+\\]:$/.test(p))) return true;
    return (%s)().length > 0;
}""" % (_PROMPTS, _ERRORS_IN_MODEL)

# What the notebook's kernel does after a slider move, recorded in the page from the watch on:
# its status changes (busy, idle), every message in or out (the last one's time), and how
# many widget updates the page sent that the kernel has not yet echoed back. An Output widget
# sends its outputs to the kernel as they arrive and the kernel echoes each update; updates
# that reach the kernel while a callback runs are handled alongside it, with no busy status
# of their own, so idle alone does not mean done.
_WATCH_KERNEL = """() => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    window.__kernelWatch = {statuses: [], pending: 0, last: Date.now()};
    if (window.__watchedKernel !== kernel) {
        window.__watchedKernel = kernel;
        kernel.statusChanged.connect((_, status) => {
            if (window.__watchedKernel === kernel) window.__kernelWatch.statuses.push(status);
        });
        kernel.anyMessage.connect((_, args) => {
            if (window.__watchedKernel !== kernel) return;
            const watch = window.__kernelWatch, msg = args.msg;
            watch.last = Date.now();
            if (msg.header.msg_type !== 'comm_msg' || !msg.content.data) return;
            const method = msg.content.data.method;
            if (args.direction === 'send' && method === 'update') watch.pending += 1;
            if (args.direction === 'recv' && method === 'echo_update') watch.pending -= 1;
        });
    }
}"""

# Settled: the kernel went busy after the watch began, is idle now, has echoed every update
# the page sent, and no message came or went for quiet_ms.
_KERNEL_SETTLED = """quiet => {
    const watch = window.__kernelWatch;
    if (!watch || !watch.statuses.includes('busy')) return false;
    const status = watch.statuses[watch.statuses.length - 1];
    return status === 'idle' && watch.pending <= 0 && Date.now() - watch.last >= quiet;
}"""

# Slider values at full precision from noUiSlider, the slider library, which keeps its API on
# the element (aria-valuenow and the readout are rounded for display: 2.24 shows as 2.2).
_SLIDER_VALUES = """(cell) => Object.fromEntries(Array.from(
    cell.querySelectorAll('.widget-slider'),
    slider => [slider.querySelector('.widget-label').textContent.trim(),
               Number(slider.querySelector('.noUi-target').noUiSlider.get(true))]))"""


# What a screen reader gets from each slider of the notebook: the handle's name and spoken
# value (aria-label, aria-valuetext) beside the label and readout a sighted learner sees.
_SLIDER_ACCESS = """() => Array.from(
    document.querySelectorAll('%s .widget-slider'), slider => {
        const handle = slider.querySelector('[role=slider]');
        const readout = slider.querySelector('.widget-readout');
        return {label: slider.querySelector('.widget-label').textContent.trim(),
                name: handle.getAttribute('aria-label'),
                spoken: handle.getAttribute('aria-valuetext'),
                readout: readout ? readout.textContent.trim() : null};
    })""" % NOTEBOOK

# The text right after each figure of the notebook: the next output for an image output (in a
# cell or in an Output widget), the next widget for an Image widget.
_FIGURE_CAPTIONS = """() => Array.from(
    document.querySelectorAll('%s .jp-Cell-outputArea img'), img => {
        const holder = img.classList.contains('widget-image')
            ? img : img.closest('.jp-OutputArea-child');
        const next = holder && holder.nextElementSibling;
        return next ? next.innerText.trim() : '';
    })""" % NOTEBOOK


class NotebookPage:
    """A Chromium tab showing one notebook in JupyterLab, with what the browser test needs."""

    def __init__(self, page, lab):
        self.page = page
        self.lab = lab
        self.page_errors = []
        self.console_errors = []
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("console", lambda message: message.type == "error"
                and self.console_errors.append(message.text))

    def open(self, path, timeout=90):
        """Open the notebook at ``path`` (relative to the served folder) alone in a fresh
        workspace, and wait until all its cells are drawn and its kernel is idle."""
        n_cells = len(json.loads((self.lab.root / path).read_text())["cells"])
        self.page_errors.clear()
        self.console_errors.clear()
        self.page.goto(f"{self.lab.url}/lab/tree/{path}?reset&token={self.lab.token}",
                       timeout=timeout * 1000)
        self.page.wait_for_function(
            f"n => document.querySelectorAll('{NOTEBOOK} .jp-Cell').length === n",
            arg=n_cells, timeout=timeout * 1000)
        self.page.locator("#jp-main-statusbar").get_by_text("| Idle").wait_for(
            timeout=timeout * 1000)

    def menu(self, menu, item):
        """Click ``item`` in the main menu ``menu``, as a learner would."""
        self.page.locator("#jp-MainMenu .lm-MenuBar-itemLabel").get_by_text(menu, exact=True).click()
        self.page.locator(".lm-Menu .lm-Menu-itemLabel").get_by_text(item, exact=True).click()

    def run_all(self, timeout=180):
        """Clear the stored outputs, Run All Cells, and wait until every code cell ran (or the
        run stopped at an error). Clearing first means every output checked later is fresh."""
        self.menu("Edit", "Clear Outputs of All Cells")
        self.page.wait_for_function(
            f"() => ({_PROMPTS})().every(p => p === '[ ]:' || p === '')", timeout=30_000)
        self.menu("Run", "Run All Cells")
        self.page.wait_for_function(_RUN_FINISHED, timeout=timeout * 1000)
        self.page.locator("#jp-main-statusbar").get_by_text("| Idle").wait_for(
            timeout=timeout * 1000)

    def problems(self):
        """Everything a learner would see go wrong: error outputs, code cells that did not run,
        widgets that failed to draw, and JavaScript errors in the page."""
        found = [f"error output in {error}" for error in self.page.evaluate(_ERRORS_IN_MODEL)]
        prompts = self.page.evaluate(_PROMPTS)
        not_run = [i for i, prompt in enumerate(prompts) if not prompt[1:-2].isdigit()]
        if not_run:
            found.append(f"code cells {not_run} did not run (prompts {[prompts[i] for i in not_run]})")
        text = self.page.locator(f"{NOTEBOOK} .jp-Notebook").inner_text()
        found += [f"the page shows {broken!r}" for broken in BROKEN_WIDGET_TEXTS if broken in text]
        found += [f"page error: {error}" for error in self.page_errors]
        return found

    # --- what a screen reader reaches ------------------------------------------------------

    def slider_access(self):
        """For every slider of the notebook: {label, name, spoken, readout} (see _SLIDER_ACCESS)."""
        return self.page.evaluate(_SLIDER_ACCESS)

    def sliders_named(self, name):
        """How many sliders of the notebook have the accessible name ``name``, as Playwright
        computes it from the page (aria-label, aria-labelledby, title, ...)."""
        return self.page.locator(NOTEBOOK).get_by_role("slider", name=name, exact=True).count()

    def wait_for_named_sliders(self, timeout=10):
        """Wait until every slider handle of the notebook has an aria-label (the explorers'
        script names them one animation frame after they are drawn)."""
        self.page.wait_for_function(
            "() => Array.from(document.querySelectorAll('%s [role=slider]'))"
            ".every(h => h.getAttribute('aria-label'))" % NOTEBOOK, timeout=timeout * 1000)

    def figure_captions(self):
        """The text that follows each figure of the notebook, in page order."""
        return self.page.evaluate(_FIGURE_CAPTIONS)

    # --- explorers ------------------------------------------------------------------------

    def explorer_cell(self, slider_label):
        """The code cell whose output holds the slider described ``slider_label``."""
        return self.page.locator(f"{NOTEBOOK} .jp-CodeCell").filter(
            has=self.slider(slider_label, within=self.page))

    def slider(self, label, within):
        return within.locator(".widget-slider").filter(
            has=self.page.locator(".widget-label").get_by_text(label, exact=True))

    def explorer_state(self, cell):
        """(slider values by label, printed text, figure digests) of an explorer cell."""
        values = cell.evaluate(_SLIDER_VALUES)
        output = cell.locator(".widget-output")
        printed = "\n".join(output.locator("[data-mime-type='application/vnd.jupyter.stdout']")
                            .all_inner_texts())
        return values, printed, self.figure_digests(cell)

    def figure_digests(self, cell):
        """SHA-256 of the bytes of every image in the cell's output: a figure comes through an
        Output (inline backend, a data: URL) or an Image widget (a new blob: URL on every
        update, whatever the bytes), so compare what the images hold, not their addresses."""
        return cell.evaluate("""async cell => {
            const digests = [];
            for (const img of cell.querySelectorAll('.jp-Cell-outputArea img')) {
                if (!img.getAttribute('src')) {   // drawn, not filled yet (fetching '' would
                    digests.push(null);           // read the page itself)
                    continue;
                }
                try {
                    const bytes = await (await fetch(img.src)).arrayBuffer();
                    const digest = await crypto.subtle.digest('SHA-256', bytes);
                    digests.push(Array.from(new Uint8Array(digest),
                                            b => b.toString(16).padStart(2, '0')).join(''));
                } catch (error) {   // replaced while we read it: read again next time
                    digests.push(null);
                }
            }
            return digests;
        }""")

    def slider_cells(self):
        """{index among code cells: slider labels} for every code cell that shows sliders."""
        return self.page.evaluate("""() => {
            const found = {};
            document.querySelectorAll('%s .jp-CodeCell').forEach((cell, i) => {
                const labels = Array.from(cell.querySelectorAll('.widget-slider .widget-label'),
                                          label => label.textContent.trim());
                if (labels.length) found[i] = labels;
            });
            return found;
        }""" % NOTEBOOK)

    def cell_index(self, cell):
        return cell.evaluate("""cell => Array.from(
            document.querySelectorAll('%s .jp-CodeCell')).indexOf(cell)""" % NOTEBOOK)

    def press_on_handle(self, cell, label, key):
        """Focus the handle of slider ``label`` and press ``key`` (e.g. ArrowRight)."""
        handle = self.slider(label, cell).locator("[role=slider]")
        handle.focus()
        self.watch_kernel()
        handle.press(key)

    def type_into_readout(self, cell, label, text):
        """Click the number next to slider ``label``, replace it with ``text`` and press Enter."""
        readout = self.slider(label, cell).locator(".widget-readout")
        readout.click()
        readout.press("Control+A")
        readout.type(text)
        self.watch_kernel()
        readout.press("Enter")

    def watch_kernel(self):
        """From now on, record the notebook kernel's status changes (busy, idle) in the page."""
        self.page.evaluate(_WATCH_KERNEL)

    def wait_until_kernel_settled(self, timeout, quiet_ms=300):
        """Wait until the kernel, since `watch_kernel`, went busy, is idle again, has echoed
        every widget update the page sent, and no message moved for ``quiet_ms``: it then has
        handled the slider's change and every output of the explorer's callback is in place."""
        self.page.wait_for_function(_KERNEL_SETTLED, arg=quiet_ms, timeout=timeout * 1000,
                                    polling=50)

    def settled_state(self, cell, timeout=5):
        """The explorer's state once two reads 200 ms apart agree (the page has drawn it)."""
        deadline = time.monotonic() + timeout
        state = self.explorer_state(cell)
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(200)
            again = self.explorer_state(cell)
            if again == state and all(again[2]):
                break
            state = again
        return state

    def wait_for_new_state(self, cell, before, timeout=30):
        """After a slider move: wait until the kernel has handled it, then return the new
        state of the explorer, which must show new slider values, a new printout and a new
        figure (compared with ``before``, an `explorer_state`).

        It waits for a real event, the kernel going busy and idle again, rather than for the
        page to change: a page caught half-way through a redraw (the old figure still shown, or
        two at once) would otherwise pass or fail by chance on a busy machine."""
        try:
            self.wait_until_kernel_settled(timeout)
        except Exception as error:
            if "Timeout" not in type(error).__name__:
                raise
            problem = f"the kernel did not handle the move within {timeout} s"
        else:
            problem = None
        state = self.settled_state(cell)
        values, printed, figures = state
        if problem is None and (values != before[0] and printed and printed != before[1]
                                and figures and all(figures) and figures != before[2]):
            return state
        raise AssertionError(
            f"the explorer did not update{': ' + problem if problem else ''}:\n"
            f"before: {before[0]}, printed {before[1]!r}, {len(before[2])} figure(s)\n"
            f"now:    {values}, printed {printed!r}, {len(figures)} figure(s), "
            f"{'the same' if figures == before[2] else 'new'} figure bytes")
