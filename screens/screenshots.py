"""Screenshots of what the kiosk shows, taken after a frame has really been drawn.

Kivy's `Window.screenshot` from a plain scheduled callback can read an empty (black)
buffer; capturing from ``on_flip`` reads the frame just presented.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Callable

from kivy.core.window import Window

log = logging.getLogger(__name__)


class Screenshotter:
    """Writes ``<directory>/<name>.png`` for each `capture`, in order."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.taken: list[Path] = []

    def capture(self, name: str, then: Callable[[], None] | None = None,
                frames: int = 2) -> None:
        """Capture after ``frames`` more frames are drawn, then call ``then``.

        Waiting a frame or two lets layouts that depend on texture sizes settle.
        """
        remaining = [frames]

        def on_flip(*_args) -> None:
            remaining[0] -= 1
            if remaining[0] > 0:
                Window.canvas.ask_update()
                return
            Window.unbind(on_flip=on_flip)
            target = self.directory / f"{name}.png"
            written = Path(Window.screenshot(name=str(target)))
            os.replace(written, target)
            self.taken.append(target)
            log.info("screenshot %s", target)
            if then is not None:
                then()

        Window.bind(on_flip=on_flip)
        Window.canvas.ask_update()
