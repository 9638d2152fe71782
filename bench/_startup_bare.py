"""Child of bench/startup.py: a bare Kivy window, the baseline for the kiosk's cold start.

    python bench/_startup_bare.py STATE_DIR WIDTH HEIGHT

Sets the Kivy environment the kiosk sets (run_kiosk.prepare_kivy_environment) and the
window settings of screens.window_profile.configure_kivy that matter for the window itself
(size, no fullscreen, no multisampling), runs an App whose root is one Label('hello'), and on
the first Window.on_flip after on_start swaps the frame, waits for the GPU, prints one
marker line with its own perf_counter stamps and leaves at once (os._exit: teardown is not
measured).
"""

import time

T_SCRIPT = time.perf_counter()

import os  # noqa: E402
import sys  # noqa: E402

from _first_frame import report_first_frame  # noqa: E402


def main() -> None:
    state_dir, width, height = sys.argv[1], sys.argv[2], sys.argv[3]
    kivy_home = os.path.join(state_dir, "kivy")
    os.makedirs(kivy_home, exist_ok=True)
    os.environ["KIVY_HOME"] = kivy_home
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ["KIVY_LOG_MODE"] = "PYTHON"
    os.environ["KIVY_NO_FILELOG"] = "1"
    os.environ["SDL_VIDEO_ALLOW_SCREENSAVER"] = "0"
    os.environ["SDL_VIDEODRIVER"] = "offscreen"

    from kivy.config import Config

    Config.set("graphics", "fullscreen", "0")
    Config.set("graphics", "width", width)
    Config.set("graphics", "height", height)
    Config.set("graphics", "multisamples", "0")

    from kivy.app import App
    from kivy.uix.label import Label

    stamps = {"script": T_SCRIPT}

    class Bare(App):
        def build(self):
            return Label(text="hello")

        def on_start(self):
            stamps["on_start"] = time.perf_counter()
            report_first_frame(stamps)

    Bare().run()
    sys.exit("bare: the app ended without drawing a frame")


if __name__ == "__main__":
    main()
