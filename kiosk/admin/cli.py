"""The `kiosk-admin` command: installer and technician tools (no Kivy, no window).

    kiosk-admin doctor [--config FILE] [--demo] [--skip GROUPS] [--timeout S]
    kiosk-admin provision --terminal-id ID --platform-url URL --support-contact TEXT
                          (--token-file F | --token-stdin) [--pin-stdin] [--config-dir D]
                          [--state-dir D] [--log-dir D] [--user U] [--force] ...
    kiosk-admin export-logs [--config FILE] [--demo] --out bundle.tar.gz [--since 7d]

Exit codes:
- doctor: 0 every check OK, 1 any FAIL, 2 only warnings;
- provision: 0 written and validated, 1 refused or failed (the message says what was
  already written), 2 the configuration would be refused by the kiosk (nothing written);
- export-logs: 0 bundle written, 1 failed;
- every command: 64 a usage error (unknown option, missing argument).

Secrets: the token is read from a file or stdin, never from the command line (it would show
in ``ps`` and the shell history); the PIN from stdin (``--pin-stdin``, the line after the
token when both come from stdin) or asked twice on the terminal; neither is ever printed.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from common.errors import KioskError
from common.privacy import RedactingFilter

EXIT_USAGE = 64
log = logging.getLogger("kiosk.admin")


class _Parser(argparse.ArgumentParser):
    """argparse's usage errors exit 64 (EX_USAGE), so 2 keeps meaning "warnings"."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from kiosk.admin.doctor import SKIPPABLE
    from kiosk.admin.provision import DEFAULT_CONFIG_DIR, DEFAULT_LOG_DIR, DEFAULT_STATE_DIR

    p = _Parser(prog="kiosk-admin", description="村居政务自助终端 安装与维护工具 "
                "(installer and technician tools)")
    p.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--config", type=Path, help="the terminal's configuration (TOML)")
        q.add_argument("--demo", action="store_true", help="with the demo configuration")
        q.add_argument("--timeout", type=float, default=8.0, metavar="S",
                       help="network diagnostics time limit in seconds (default 8)")

    d = sub.add_parser("doctor", help="check configuration, devices, platform, disk, clock, "
                       "outbox; exit 0 OK, 1 FAIL, 2 WARN")
    common(d)
    d.add_argument("--skip", default="", metavar="GROUPS",
                   help=f"comma-separated groups not to check: {', '.join(SKIPPABLE)} "
                        "(skip devices while the kiosk is running: it holds them)")
    d.add_argument("--device-wait", type=float, default=3.0, metavar="S",
                   help="seconds each device gets to come up (default 3)")

    v = sub.add_parser("provision", help="write this terminal's configuration, outbox key "
                       "and permissions")
    v.add_argument("--terminal-id", required=True, help="e.g. JS-SY-0001")
    v.add_argument("--platform-url", required=True, help="https://... (without /api/v1)")
    v.add_argument("--support-contact", required=True,
                   help="who to call, shown on the out-of-service screen")
    token = v.add_mutually_exclusive_group(required=True)
    token.add_argument("--token-file", type=Path, help="file holding the terminal's token")
    token.add_argument("--token-stdin", action="store_true",
                       help="read the token from the first line of stdin")
    v.add_argument("--pin-stdin", action="store_true",
                   help="read the maintenance PIN from stdin (the next line); otherwise it "
                        "is asked on the terminal, or kept from the old file with --force")
    v.add_argument("--name", default="", help="name shown in the title bar")
    v.add_argument("--location", default="", help="where the terminal stands")
    v.add_argument("--ca-file", default="", help="the district's CA bundle, if it has its own")
    v.add_argument("--config-dir", type=Path, default=DEFAULT_CONFIG_DIR)
    v.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR)
    v.add_argument("--log-dir", type=Path, default=DEFAULT_LOG_DIR)
    v.add_argument("--user", default="", help="as root: the kiosk user who owns state, log "
                   "and key (config: root with its group)")
    v.add_argument("--devices-from", type=Path,
                   help="TOML file whose [devices.*] tables to use (default: "
                        "config/terminal.example.toml)")
    v.add_argument("--force", action="store_true",
                   help="replace an existing configuration (kept as terminal.toml.bak)")

    e = sub.add_parser("export-logs", help="a masked bundle of logs and diagnostics")
    common(e)
    e.add_argument("--out", type=Path, required=True, help="the .tar.gz to write")
    e.add_argument("--since", default="7d", help="7d, 12h, 30m or all (default 7d)")
    e.add_argument("--with-devices", action="store_true",
                   help="open the devices for the doctor report (stop the kiosk first)")
    return p


def main(argv: Sequence[str] | None = None, *, stdin: TextIO | None = None,
         stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run one subcommand; returns its exit code (see the module docstring)."""
    args = build_parser().parse_args(argv)
    out, err = stdout or sys.stdout, stderr or sys.stderr
    _logging(args.verbose, err)
    if args.command == "doctor":
        return _doctor(args, out, err)
    if args.command == "provision":
        return _provision(args, stdin or sys.stdin, out, err)
    return _export(args, out, err)


def _logging(verbose: bool, err: TextIO) -> None:
    """Drivers' ERROR lines would reach stderr through logging's last resort and clutter
    the report: without --verbose they go nowhere (the report says what failed)."""
    root = logging.getLogger()
    for h in [h for h in root.handlers if getattr(h, "_kiosk_admin", False)]:
        root.removeHandler(h)
    handler: logging.Handler = (logging.StreamHandler(err) if verbose else logging.NullHandler())
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler._kiosk_admin = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    if verbose:
        root.setLevel(logging.INFO)


def _groups(text: str, err: TextIO) -> tuple[str, ...] | None:
    from kiosk.admin.doctor import SKIPPABLE

    groups = tuple(g.strip() for g in text.split(",") if g.strip())
    unknown = [g for g in groups if g not in SKIPPABLE]
    if unknown:
        print(f"kiosk-admin: --skip: unknown group {unknown[0]!r}; groups: "
              f"{', '.join(SKIPPABLE)}", file=err)
        return None
    return groups


def _doctor(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from kiosk.admin.doctor import format_report, run_doctor

    skip = _groups(args.skip, err)
    if skip is None:
        return EXIT_USAGE
    report, _ = run_doctor(args.config, demo=args.demo, environ=os.environ, skip=skip,
                           timeout_s=args.timeout, device_wait_s=args.device_wait)
    out.write(format_report(report))
    return report.exit_code


def _provision(args: argparse.Namespace, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    from kiosk.admin.provision import (CONFIG_NAME, ProvisionConfigError, ProvisionError,
                                       ProvisionRequest, provision)

    try:
        if args.token_file is not None:
            token = args.token_file.read_text(encoding="utf-8").strip()
        else:
            token = stdin.readline().strip()
        if args.pin_stdin:
            pin: str | None = stdin.readline().strip()
        elif args.force and (args.config_dir / CONFIG_NAME).exists():
            pin = None  # keep the PIN hash of the configuration being replaced
        else:
            pin = _ask_pin()
    except OSError as exc:
        print(f"kiosk-admin provision: cannot read the token or PIN: {exc}", file=err)
        return 1
    if not token:
        print("kiosk-admin provision: the token is empty", file=err)
        return 1
    try:
        request = ProvisionRequest(
            terminal_id=args.terminal_id, platform_url=args.platform_url, token=token,
            support_contact=args.support_contact, pin=pin, name=args.name,
            location=args.location, ca_file=args.ca_file, config_dir=args.config_dir,
            state_dir=args.state_dir, log_dir=args.log_dir, user=args.user,
            devices_from=args.devices_from, force=args.force)
        result = provision(request)
    except ProvisionConfigError as exc:
        print("kiosk-admin provision: 配置无效，未写入任何文件 (nothing written):", file=err)
        for problem in exc.problems.problems:
            print(f"  - {problem}", file=err)
        return 2
    except ProvisionError as exc:
        print(f"kiosk-admin provision: {exc}", file=err)
        for line in exc.written:
            print(f"  already done: {line}", file=err)
        return 1
    except ValueError as exc:  # the PIN is not 6-12 digits (kiosk.pin); never repeats it
        print(f"kiosk-admin provision: {exc}", file=err)
        return 1
    for line in result.actions:
        print(line, file=out)
    print(f"下一步 next: kiosk-admin doctor --config {result.config_file}", file=out)
    return 0


def _ask_pin() -> str:
    """Ask the PIN twice on the controlling terminal. Raises OSError without one."""
    try:
        with open("/dev/tty", encoding="utf-8"):
            pass
    except OSError as exc:
        raise OSError("no terminal to ask the PIN on: give it with --pin-stdin") from exc
    pin = getpass.getpass("maintenance PIN 维护密码 (6-12 digits): ")
    if getpass.getpass("again 再输入一次: ") != pin:
        raise OSError("the two PINs differ")
    return pin


def _export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from kiosk.admin.export_logs import export_logs

    try:
        result = export_logs(args.config, args.out, demo=args.demo, environ=os.environ,
                             since=args.since, skip=() if args.with_devices else ("devices",),
                             timeout_s=args.timeout)
    except KioskError as exc:
        print(f"kiosk-admin export-logs: {exc}", file=err)
        return 1
    print(f"已导出 written {result.out} ({len(result.members)} members, {result.log_lines} "
          f"log lines, {result.masked_lines} masked)", file=out)
    for name in result.members:
        print(f"  {name}", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
