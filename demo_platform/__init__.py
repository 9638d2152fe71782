"""Demonstration platform: a real HTTP server on loopback implementing the platform contract
(docs/platform-api.md) with its own SQLite database.

    python -m demo_platform --host 127.0.0.1 --port 8765 --db var/platform.db --seed

For tests: ``create_app(db_path, faults=...)`` and ``start_in_thread(app)`` -> a handle with
``base_url`` and ``stop()``.
"""

__version__ = "1.0.0"

from .app import create_app  # noqa: E402
from .faults import Faults  # noqa: E402
from .server import ServerHandle, start_in_thread  # noqa: E402
from .store import DEMO_TERMINAL_ID, DEMO_TERMINAL_TOKEN  # noqa: E402

__all__ = ["create_app", "start_in_thread", "ServerHandle", "Faults",
           "DEMO_TERMINAL_ID", "DEMO_TERMINAL_TOKEN", "__version__"]
