"""The one composition root: arguments -> configuration -> services -> the Kivy app.

    kiosk --demo                 demo terminal, simulated devices, sample data
    kiosk --config FILE          a terminal's own configuration over the defaults
    kiosk --check-config ...     validate and exit (0 good, 2 refused)
    kiosk --devices ...          open every configured device and list its status
    kiosk --self-test NAME ...   read a card / wait for a scan / capture / print a test slip
    kiosk --print-config-help    every configuration key, its type, default and limits
    kiosk --hash-pin             read a maintenance PIN, print the hash to store

Exit codes: 0 normal end, 2 configuration refused, 3 the kiosk could not start (font,
log folder, translation catalogue).
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import signal
import sys
import time
from datetime import datetime
from pathlib import Path

from common.errors import InvalidConfigurationError, KioskError

__version__ = "0.1.0"
EXIT_CONFIG = 2
EXIT_START = 3

log = logging.getLogger("kiosk")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="kiosk", description="Government self-service kiosk")
    p.add_argument("--config", type=Path, help="this terminal's configuration file (TOML)")
    p.add_argument("--demo", action="store_true",
                   help="demo terminal: demo configuration, simulated devices, sample data")
    p.add_argument("--windowed", action="store_true",
                   help="developer profile: a normal window with a cursor")
    p.add_argument("--screenshot-dir", type=Path,
                   help="write screenshots of what is shown into this folder")
    p.add_argument("--tour", action="store_true",
                   help="walk every screen, screenshot it and exit (default where there is "
                        "no display in demo mode)")
    p.add_argument("--audit", type=Path, metavar="DIR",
                   help="accessibility audit: walk every screen like --gallery, measure text "
                        "sizes, targets, spacing, contrast and controls, write DIR/audit.txt, "
                        "exit 1 on any violation; use with --demo")
    p.add_argument("--gallery-flows", metavar="NAMES",
                   help="with --gallery: only these flows (comma-separated, e.g. apply,rating)")
    p.add_argument("--gallery-modes", metavar="MODES", default="standard,elderly",
                   help="with --gallery/--audit: display modes to walk (comma-separated: "
                        "standard, elderly, high_contrast, elderly_high_contrast; default "
                        "standard,elderly)")
    p.add_argument("--gallery", type=Path, metavar="DIR",
                   help="screenshot every screen of every flow in standard and elderly mode "
                        "into DIR (with index.html), then exit; use with --demo")
    p.add_argument("--no-tour", action="store_true",
                   help="keep running offscreen instead of touring (demo without a display)")
    p.add_argument("--check-config", action="store_true",
                   help="validate the configuration and exit")
    p.add_argument("--devices", action="store_true",
                   help="open every configured device, list its status and exit")
    p.add_argument("--self-test", metavar="NAME",
                   help="run a device's self-test (read a card, scan, capture, print a slip, "
                        "say a test sentence)")
    p.add_argument("--print-config-help", action="store_true",
                   help="describe every configuration key and exit")
    p.add_argument("--hash-pin", action="store_true",
                   help="read a maintenance PIN and print its salted hash for the config")
    p.add_argument("--create-outbox-key", action="store_true",
                   help="provisioning: create the outbox key file (outbox.key_file) and exit")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    args = p.parse_args(argv)
    if args.audit is not None:
        args.gallery = args.audit
    return args


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def prepare_kivy_environment(state_dir: Path, *, offscreen: bool) -> None:
    """Environment Kivy reads at import: keep it out of ~/.kivy and away from sys.argv."""
    kivy_home = state_dir / "kivy"
    kivy_home.mkdir(parents=True, exist_ok=True)
    os.environ["KIVY_HOME"] = str(kivy_home)
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ["KIVY_LOG_MODE"] = "PYTHON"  # Kivy logs into the technician log
    os.environ["KIVY_NO_FILELOG"] = "1"
    os.environ["SDL_VIDEO_ALLOW_SCREENSAVER"] = "0"
    # SDL would turn SIGTERM into a window close request, which a kiosk refuses; the
    # kiosk handles the signals itself (see _stop_on_signals) so `systemctl stop` works.
    os.environ["SDL_NO_SIGNAL_HANDLERS"] = "1"
    if offscreen:
        os.environ["SDL_VIDEODRIVER"] = "offscreen"


def hash_pin_command() -> int:
    from kiosk.pin import hash_pin

    pin = getpass.getpass("maintenance PIN (6-12 digits): ")
    if getpass.getpass("again: ") != pin:
        print("the two PINs differ; nothing printed", file=sys.stderr)
        return 1
    try:
        print(hash_pin(pin))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def create_outbox_key_command(path: Path) -> int:
    from offline.crypto import create_key_file

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        create_key_file(path)
    except (OSError, KioskError) as exc:
        print(f"kiosk: outbox key not created: {exc}", file=sys.stderr)
        return 1
    print(f"outbox key created at {path} (mode 0600); back it up nowhere: it is only "
          f"needed on this terminal")
    return 0


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    args = parse_args(argv)
    if args.hash_pin:
        return hash_pin_command()

    if args.print_config_help:
        from kiosk.config import describe_schema

        print(describe_schema())
        return 0

    from hardware.registry import check_device_options
    from kiosk.config import load_config

    try:
        config = load_config(args.config, demo=args.demo, environ=os.environ,
                             check_device_options=check_device_options)
    except InvalidConfigurationError as exc:
        print(f"kiosk: refusing to start: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    if args.check_config:
        print("configuration ok")
        return 0
    if args.create_outbox_key:
        return create_outbox_key_command(Path(config.outbox.key_file))
    if args.devices or args.self_test:
        from kiosk import device_cli

        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        if args.devices:
            return device_cli.list_devices(config, sys.stdout)
        return device_cli.self_test(config, args.self_test, sys.stdout)

    headless = not has_display()
    tour = (args.tour or (args.demo and headless and not args.no_tour)) and not args.gallery
    shot_dir = args.screenshot_dir
    if tour and shot_dir is None:
        shot_dir = Path("screenshots") / datetime.now().strftime("%Y%m%d-%H%M%S")
    profile = "developer" if args.windowed else config.display.profile

    from kiosk.techlog import setup_logging

    try:
        log_path = setup_logging(Path(config.log.dir), config.log.level, config.log.max_bytes,
                                 config.log.backups, to_stderr=profile == "developer")
        prepare_kivy_environment(Path(config.paths.state_dir), offscreen=headless)
    except OSError as exc:
        print(f"kiosk: cannot start: {exc}", file=sys.stderr)
        return EXIT_START
    log.info("kiosk %s starting: terminal %s, profile %s, %s, log %s", __version__,
             config.terminal.id, profile, "offscreen" if headless else "on display", log_path)

    from hardware.manager import DeviceManager
    from kiosk.clock import AdjustableClock
    from kiosk.connectivity import Connectivity
    from kiosk.flows.runner import ThreadRunner
    from kiosk.platform_boot import PlatformBoot
    from kiosk.context import build_services
    from screens.window_profile import configure_kivy

    try:
        configure_kivy(profile, config.display.width, config.display.height,
                       Path(config.display.font_path), headless=headless)
        clock = AdjustableClock()
        devices = DeviceManager(config.devices)
        key_file = Path(config.outbox.key_file)
        demo_server = None
        if config.platform.start_demo_server:
            demo_server = _start_demo_platform(config, key_file, demo=args.demo)
        if not key_file.exists():
            raise KioskError(f"outbox key file {key_file} is missing: provision it with "
                             f"`kiosk --config FILE --create-outbox-key`")
        connectivity = Connectivity()
        platform = PlatformBoot(config, connectivity, app_version=__version__,
                                device_report=devices.report, demo=args.demo,
                                device_events=devices.subscribe,
                                demo_server=demo_server)
        runner = ThreadRunner(lambda job: Clock.schedule_once(lambda _dt: job(), 0))
        services = build_services(config, clock=clock, devices=devices,
                                  connectivity=connectivity, platform=platform.access(),
                                  runner=runner)
    except (OSError, KioskError) as exc:
        log.critical("cannot start: %s", exc)
        print(f"kiosk: cannot start: {exc}", file=sys.stderr)
        return EXIT_START

    from kivy.clock import Clock

    from kiosk.device_bridge import DeviceBridge
    from screens.app import KioskApp

    app = KioskApp(services)
    bridge = DeviceBridge(devices, services.session,
                          schedule=lambda job: Clock.schedule_once(lambda _dt: job(), 0),
                          on_status_change=app.refresh_availability,
                          on_card_present=app.device_card_present,
                          on_code=app.device_code_scanned,
                          suspended=lambda: app.in_maintenance)
    from kiosk.maintenance.build import attach_maintenance

    attach_maintenance(app, config, devices, platform, args.config, demo=args.demo)
    if args.gallery is not None:
        walker = _attach_gallery(app, args.gallery, platform, devices,
                                 flows=[f for f in (args.gallery_flows or "").split(",") if f],
                                 font_path=config.display.font_path,
                                 audit=args.audit is not None,
                                 modes=tuple(m for m in args.gallery_modes.split(",") if m))
    elif shot_dir is not None:
        _attach_screenshots(app, shot_dir, clock, tour=tour)
    _stop_on_signals(app)
    from screens.watchdog_hook import attach_watchdog

    attach_watchdog(app)  # systemd: READY at the first frame, WATCHDOG from the UI loop
    log.info("composition done in %.2fs", time.perf_counter() - started)
    # The home screen never waits for a device or the platform.
    _start_after_first_frame(lambda: (devices.start(), platform.start()))
    try:
        app.run()
    finally:
        bridge.close()
        runner.shutdown()
        devices.stop()
        platform.stop()
    if args.gallery is not None:
        done = walker[0]
        print(f"gallery written to {args.gallery.resolve()} (open index.html)")
        if done is None or not done.walked_whole:
            problems = ("it never started" if done is None else
                        "it was stopped before the end" if not done.finished else
                        f"{len(done.skipped)} screen(s) skipped, "
                        f"{len(done.missing_glyphs)} with characters the font cannot draw")
            print(f"gallery incomplete: {problems}; see the technician log", file=sys.stderr)
            return 1
        if args.audit is not None:
            report = done.report()
            (args.audit / "audit.txt").write_text(report, encoding="utf-8")
            print(report, end="")
            if done.violations:
                print(f"audit failed: {len(done.violations)} violation(s); see "
                      f"{(args.audit / 'audit.txt').resolve()}", file=sys.stderr)
                return 1
    elif shot_dir is not None:
        print(f"screenshots written to {shot_dir.resolve()}")
    return 0


def _start_demo_platform(config, key_file: Path, *, demo: bool):
    """Demo only, on the main thread: make the demo outbox key if missing and start the
    bundled platform child (it ends with this process)."""
    from kiosk.demo_server import start_demo_server

    if demo and not key_file.exists():
        from offline.crypto import create_key_file

        key_file.parent.mkdir(parents=True, exist_ok=True)
        create_key_file(key_file)  # demo provisioning; a real terminal is provisioned
    return start_demo_server(config.platform.url, Path(config.paths.state_dir))


def _stop_on_signals(app) -> None:
    """SIGTERM (systemd stop) and SIGINT end the app cleanly: devices closed, outbox kept."""
    from kivy.clock import Clock

    def on_signal(signum: int, _frame) -> None:
        log.warning("%s received: stopping the kiosk", signal.Signals(signum).name)
        Clock.schedule_once(lambda _dt: app.stop(), 0)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)


def _start_after_first_frame(start) -> None:
    """Call ``start`` once the first frame is on screen (it imports and opens drivers in
    the background, which would otherwise compete with drawing the home screen)."""
    from kivy.core.window import Window

    def on_flip(*_args) -> None:
        Window.unbind(on_flip=on_flip)
        start()

    Window.bind(on_flip=on_flip)


def _attach_gallery(app, folder: Path, platform, devices, *, flows: list[str],
                    font_path: str, audit: bool = False,
                    modes: tuple[str, ...] = ("standard", "elderly")) -> list:
    """Once the platform side has synced and the devices are up, walk every flow (or
    `flows`). Returns a one-item list that holds the walker once it has started."""
    from kivy.clock import Clock

    from screens.gallery import GalleryWalker
    from screens.screenshots import Screenshotter

    deadline = [time.monotonic() + 90.0]
    walker: list = [None]

    def ready() -> bool:
        services = platform.services
        synced = services is not None and (services.link.last_sync_result is not None
                                           or services.link.last_sync_error)
        return (platform.ready.is_set() and (synced or platform.error)
                and all(devices.kind_ready().values()))

    def poll(_dt: float) -> None:
        if not ready() and time.monotonic() < deadline[0]:
            Clock.schedule_once(poll, 0.2)
            return
        app.refresh_availability()
        # Kivy's Clock holds callbacks weakly: keep the walker alive for the whole run.
        unknown = [f for f in flows if f not in app.services.flows]
        if unknown:
            log.error("gallery: no flow named %s; flows: %s", ", ".join(unknown),
                      ", ".join(app.services.flows))
            app.stop()
            return
        walker_class = GalleryWalker
        if audit:
            from screens.audit import AuditWalker as walker_class
        walker[0] = walker_class(app, Screenshotter(folder), app.stop, devices=devices,
                                  flows=flows or None, font_path=font_path, modes=modes)
        walker[0].start()

    app.bind(on_start=lambda *_: Clock.schedule_once(poll, 0.2))
    return walker


def _attach_screenshots(app, shot_dir: Path, clock, *, tour: bool) -> None:
    """Tour: walk every screen and stop. Otherwise: a screenshot on every screen change."""
    from kivy.clock import Clock

    from screens.screenshots import Screenshotter

    shots = Screenshotter(shot_dir)
    if tour:
        from screens.tour import DemoTour

        tour_ref: list = [None]  # Kivy's Clock holds callbacks weakly: keep the tour alive

        def start_tour(_dt: float) -> None:
            tour_ref[0] = DemoTour(app, shots, clock, on_done=app.stop)
            tour_ref[0].start()

        app.bind(on_start=lambda *_: Clock.schedule_once(start_tour, 0))
        return
    counter = [0]

    def on_screen(*_args) -> None:
        counter[0] += 1
        mode = "elderly" if app.elderly else "standard"
        shots.capture(f"{counter[0]:04d}_{app.screen_manager.current}_{mode}_{app.language}")

    app.bind(on_start=lambda *_: (app.screen_manager.bind(current=on_screen), on_screen()))


if __name__ == "__main__":
    sys.exit(main())
