"""Child of bench/startup.py: the real kiosk, from the composition root to the home frame.

    KIOSK_LOG_DIR=... KIOSK_STATE_DIR=... python bench/_startup_kiosk.py [ARGS...]

Calls ``run_kiosk.main(["--demo", "--no-tour", *ARGS])`` unchanged (``--no-tour``: without
a display the demo would otherwise walk its screenshot tour), with one intervention only:
``screens.app.KioskApp.on_start`` is wrapped when that module is first imported (by main
itself; importing it earlier would create the Kivy window before main configured Kivy).
The wrapper runs the real on_start, then binds Window.on_flip; on the first flip where
``app.screen_manager.current == "home"`` it swaps the frame, waits for the GPU, prints one
marker line with its perf_counter stamps and leaves at once (os._exit).
"""

import time

T_SCRIPT = time.perf_counter()

import importlib.util  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

from _first_frame import report_first_frame  # noqa: E402
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
stamps = {"script": T_SCRIPT}


def _report_home_frame(app) -> None:
    report_first_frame(stamps, ready=lambda: app.screen_manager is not None
                       and app.screen_manager.current == "home")


def _patch_kiosk_app(module) -> None:
    original = module.KioskApp.on_start

    def on_start(self):
        stamps["on_start"] = time.perf_counter()
        original(self)
        _report_home_frame(self)

    module.KioskApp.on_start = on_start


class _PatchOnImport:
    """Wraps KioskApp.on_start right after screens.app is executed by its first importer.

    A plain meta-path finder: subclassing importlib.abc.MetaPathFinder would import
    importlib.resources & co. (~10 ms) that the kiosk itself never loads.
    """

    def find_spec(self, name, path, target=None):
        if name != "screens.app":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        exec_module = spec.loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            _patch_kiosk_app(module)

        spec.loader.exec_module = exec_and_patch
        return spec


def main() -> None:
    sys.path.insert(0, ROOT)
    sys.meta_path.insert(0, _PatchOnImport())
    import run_kiosk

    stamps["main"] = time.perf_counter()
    code = run_kiosk.main(["--demo", "--no-tour", *sys.argv[1:]])
    sys.exit(f"kiosk: main returned {code} without drawing the home screen")


if __name__ == "__main__":
    main()
