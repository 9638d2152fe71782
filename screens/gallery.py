"""The screen gallery: every screen of every flow, in standard and elderly mode, as PNGs.

    kiosk --demo --gallery DIR

Runs the real app (offscreen without a display) with the demo configuration: simulated
devices and the bundled demonstration platform. For each flow and each mode it explores
the flow breadth-first: it starts the flow, replays a path of taps, screenshots every view
it has not seen before (by title, instruction and notice), and queues one path per choice
of that view. Identification is done the way a resident does it: the walker scans the
demo resident's code when the flow waits for one, and lays a sample card on the simulated
reader when it waits for a card. Each flow is limited to `max_views` views per mode, so a
run takes a few minutes. `index.html` in DIR lists every screenshot with its path of taps.
"""

from __future__ import annotations

import html
import logging
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from kivy.clock import Clock

from screens.screenshots import Screenshotter

log = logging.getLogger(__name__)

DEMO_CODE = "SSM-DEMO-0001"
DEMO_STAFF_CODE, DEMO_STAFF_PIN = "STAFF-DEMO-0001", "135790"  # 村居代办 demo agent (demo only)
# Other demo residents the walker also scans in, for screens only they see: the offline
# code's "who can have one" screen needs a resident who may not (an adult under 60).
OTHER_CODES = {"offline_code": ("SSM-DEMO-0003",)}
STUCK_S = 20
WAIT_S = 12  # how long the camera preview may take to capture by itself
RATED_SERVICE = "JS-HJ-001"
SKIPPED = {"nav:home", "page:previous"}  # taps that only lead back to views already seen
# mode -> (长者模式, high contrast)
MODES = {"standard": (False, False), "elderly": (True, False),
         "high_contrast": (False, True), "elderly_high_contrast": (True, True)}


class GalleryWalker:
    def __init__(self, app: Any, shots: Screenshotter, on_done: Callable[[], None], *,
                 devices: Any = None, max_views: int = 14, max_depth: int = 9,
                 flows: list[str] | None = None, font_path: str = "",
                 modes: tuple[str, ...] = ("standard", "elderly")) -> None:
        self.app, self.shots, self.on_done, self.devices = app, shots, on_done, devices
        self.max_views, self.max_depth = max_views, max_depth
        unknown = set(modes) - set(MODES)
        if unknown:
            raise ValueError(f"unknown gallery mode(s) {sorted(unknown)}; known: {MODES}")
        self.modes = modes
        # Every tile, then the flows reached another way (rating, help).
        tiles = [t.id for t in app.services.availability.tiles]
        self.flow_names = flows or tiles + [n for n in app.services.flows if n not in tiles]
        self.index: list[tuple[str, str, str]] = []   # file, flow/mode, path
        self._steps: Iterator[Any] = self._script()
        self._waiting: Callable[[], bool] | None = None
        self._event = None
        self._shooting = False
        self._since = 0.0      # when the current wait or screenshot began
        self.skipped: list[str] = []
        self.font_path = font_path
        self.missing_glyphs: dict[str, set[str]] = {}   # screenshot -> characters not drawn
        self.finished = False
        self._where = "start"

    def start(self) -> None:
        self._event = Clock.schedule_interval(self._tick, 0.05)

    # --- the driver: the script yields predicates to wait for, or a screenshot name -------
    def _tick(self, _dt: float) -> None:
        if self._shooting or self._waiting is not None:
            if time.monotonic() - self._since > STUCK_S:
                # Never hang the whole gallery on one screen: say which and go on.
                log.warning("gallery: %s did not finish within %d s (%s); skipped",
                            "a screenshot" if self._shooting else "a step", STUCK_S,
                            self._where)
                self.skipped.append(self._where)
                self._shooting, self._waiting = False, None
            elif self._shooting or not self._waiting():
                return
            self._waiting = None
        try:
            step = next(self._steps)
        except StopIteration:
            self._event.cancel()
            self.finished = True
            self._write_index()
            log.info("gallery: %d screenshots in %s, %d screen(s) skipped, %d with missing "
                     "glyphs", len(self.shots.taken), self.shots.directory, len(self.skipped),
                     len(self.missing_glyphs))
            self.on_done()
            return
        self._since = time.monotonic()
        if isinstance(step, str):
            self._shooting = True
            self._check_glyphs(step)
            self.shots.capture(step, then=self._shot_done, frames=3)
        else:
            self._waiting = step

    def _shot_done(self) -> None:
        self._shooting = False

    # --- the script ---------------------------------------------------------------------
    def _script(self) -> Iterator[Any]:
        app = self.app
        for mode in self.modes:
            yield from self._home(mode)
            for name in self.flow_names:
                seen: set[tuple] = set()
                queue: deque[tuple[str, ...]] = deque([()])
                shot = 0
                while queue and shot < self.max_views:
                    path = queue.popleft()
                    self._where = f"{name} {mode}: {' > '.join(path) or 'start'}"
                    log.debug("gallery: %s", self._where)
                    yield from self._restart(name, mode)
                    ok = True
                    for choice in path:
                        if choice == "@wait":  # the camera takes the photo by itself
                            yield self._view_changes(WAIT_S)
                            continue
                        if choice.startswith("@"):
                            self._device_action(choice)
                        elif not self._tap(choice):
                            ok = False
                            break
                        yield self._settled
                    if not ok:
                        continue
                    flow = app.current_flow()
                    if flow is None or app.screen_manager.current != name:
                        continue
                    view = app.screen_manager.current_screen.current_view
                    if view is None:
                        continue
                    key = self._view_key()
                    if key in seen:
                        continue
                    seen.add(key)
                    shot += 1
                    filename = f"{len(self.shots.taken) + 1:03d}_{name}_{mode}_{shot:02d}"
                    self.index.append((filename, f"{name} · {mode}", " > ".join(path)))
                    yield filename
                    if len(path) < self.max_depth:
                        waiting = self._waiting_for(flow)
                        if waiting:
                            queue.append(path + (waiting,))
                            if waiting == "@scan":
                                queue.extend(path + (f"@scan:{code}",)
                                             for code in OTHER_CODES.get(name, ()))
                        elif view.widget == "camera":
                            queue.append(path + ("@wait",))
                        for c in view.choices + view.actions:
                            if c.enabled and c.id not in SKIPPED:
                                queue.append(path + (c.id,))
        yield from self._restart(None, "standard")

    def _home(self, mode: str) -> Iterator[Any]:
        """The home screen in a session, and each further page of tiles ("more services")."""
        yield from self._restart(None, mode)
        home = self.app.screen_manager.get_screen("home")
        for page in range(1, 10):
            self._where = f"home {mode}: page {page}"
            filename = f"{len(self.shots.taken) + 1:03d}_home_{mode}_{page:02d}"
            self.index.append((filename, f"home · {mode}", f"page {page}"))
            yield filename
            if home.home_page is None or home.home_page.more != "home:more":
                break
            home._turn()
            yield lambda: True
        home.first_page()

    def _restart(self, name: str | None, mode: str) -> Iterator[Any]:
        app = self.app
        if app.session.state.value != "idle":
            app.session.finish()
        yield self._settled
        app.session.touch()
        elderly, contrast = MODES[mode]
        app.session.set_elderly(elderly)
        app.session.set_high_contrast(contrast)
        if name == "rating":  # as a completed flow hands over to it
            app.services.flows[name].ctx.extras["rating_for"] = {"service_id": RATED_SERVICE}
        if name is not None:
            app.open_flow(name)
        yield self._settled

    def _tap(self, choice_id: str) -> bool:
        flow = self.app.current_flow()
        if flow is None:
            return False
        view = self.app.screen_manager.current_screen.current_view
        if view is None or choice_id not in {c.id for c in view.choices + view.actions}:
            return False
        self.app.session.touch()
        flow.choose(choice_id)
        return True

    @staticmethod
    def _waiting_for(flow: Any) -> str:
        """"@scan" / "@card" when identification waits for a code / a card, what the flow
        itself says it waits for (the agent flow: "@staff_card", "@staff_code", "@pin"),
        else ""."""
        own = getattr(flow, "gallery_wait", None)
        if callable(own) and own():
            return own()
        step = getattr(getattr(flow, "_identify", None), "step", None)
        value = getattr(step, "value", "")
        return {"wait_code": "@scan", "wait_card": "@card"}.get(value, "")

    def _device_action(self, action: str) -> None:
        """What the resident does at the devices: scan the demo code, lay a sample card."""
        if action == "@scan":
            self.app.device_code_scanned(DEMO_CODE)
        elif action.startswith("@scan:"):
            self.app.device_code_scanned(action[len("@scan:"):])
        elif action == "@staff_card" and self.devices is not None:
            for reader in self.devices.by_kind("card_reader"):
                if hasattr(reader, "insert_staff_card"):
                    reader.insert_staff_card(0)
            self.app.device_card_present()
        elif action == "@staff_code":
            self.app.device_code_scanned(DEMO_STAFF_CODE)
        elif action == "@pin":  # the village agent types the demo PIN on the keypad
            flow = self.app.current_flow()
            for digit in DEMO_STAFF_PIN:
                flow.numpad_key(digit)
        elif action == "@card" and self.devices is not None:
            for reader in self.devices.by_kind("card_reader"):
                if hasattr(reader, "insert_card"):
                    reader.insert_card(0)
            self.app.device_card_present()

    def _view_key(self) -> tuple:
        view = getattr(self.app.screen_manager.current_screen, "current_view", None)
        if view is None:
            return ()
        return (view.title, view.instruction, view.notice.text if view.notice else "",
                len(view.choices), len(view.actions))

    def _view_changes(self, seconds: float) -> Callable[[], bool]:
        """A predicate: the shown view is another one (and settled), or `seconds` passed."""
        before, until = self._view_key(), time.monotonic() + seconds

        def changed() -> bool:
            if time.monotonic() > until:
                return True
            return self._view_key() != before and self._settled()
        return changed

    def _check_glyphs(self, shot: str) -> None:
        """Every character shown must exist in the font (else Kivy draws an empty box)."""
        if not self.font_path:
            return
        from config.fontcheck import face0_covers

        texts = [w.text for w in self.app.root.walk(restrict=True)
                 if isinstance(getattr(w, "text", None), str) and getattr(w, "opacity", 1)]
        missing = face0_covers(self.font_path, "".join(set("".join(texts)) - set(" \n\t")))
        if missing:
            self.missing_glyphs[shot] = missing
            log.error("gallery: %s shows characters the font cannot draw: %s", shot,
                      "".join(sorted(missing)))

    @property
    def walked_whole(self) -> bool:
        """Walked to the end, no screen skipped, every character drawable."""
        return self.finished and not self.skipped and not self.missing_glyphs

    def _settled(self) -> bool:
        flow = self.app.current_flow()
        view = getattr(self.app.screen_manager.current_screen, "current_view", None)
        return flow is None or view is None or not view.busy

    def _write_index(self) -> None:
        rows = "\n".join(
            f'<figure><img src="{html.escape(f)}.png" width="640">'
            f"<figcaption>{html.escape(title)}<br><small>{html.escape(path or 'start')}"
            f"</small></figcaption></figure>" for f, title, path in self.index)
        (self.shots.directory / "index.html").write_text(
            "<!doctype html><meta charset='utf-8'><title>Kiosk screen gallery</title>"
            "<style>body{font-family:sans-serif}figure{display:inline-block;margin:8px}"
            "</style>\n" + rows + "\n", encoding="utf-8")
