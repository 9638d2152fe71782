"""Test set-up shared by every test: Kivy kept offscreen and out of the home directory.

The environment must be set before anything imports Kivy, hence at conftest import.
"""

from __future__ import annotations

import os
import tempfile

_kivy_home = tempfile.mkdtemp(prefix="kiosk-test-kivy-")
os.environ["KIVY_HOME"] = _kivy_home
os.environ["KIVY_NO_ARGS"] = "1"
os.environ["KIVY_LOG_MODE"] = "PYTHON"
os.environ["KIVY_NO_FILELOG"] = "1"
if not os.environ.get("KIOSK_TEST_ON_DISPLAY"):
    os.environ["SDL_VIDEODRIVER"] = "offscreen"
