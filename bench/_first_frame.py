"""Shared by the start-up bench children: report the first drawn frame and leave."""

import json
import os
import sys
import time

MARKER = "BENCH_FIRST_FRAME"


def report_first_frame(stamps: dict, ready=lambda: True) -> None:
    """On the first flip where ``ready()`` holds: swap, wait for the GPU, print, exit.

    Prints ``MARKER {json stamps}`` on stdout and leaves with os._exit(0), so teardown is
    not measured.
    """
    from kivy.core.window import Window
    from kivy.graphics.opengl import glFinish

    def on_flip(window, *_args):
        if not ready():
            return
        window.flip()  # what the default on_flip handler would do next
        glFinish()
        stamps["frame"] = time.perf_counter()
        sys.stdout.write(f"{MARKER} {json.dumps(stamps)}\n")
        sys.stdout.flush()
        os._exit(0)

    Window.bind(on_flip=on_flip)
