"""Platform diagnostics, step by step: DNS, TCP connect, TLS handshake and certificate
expiry, ``GET /health`` latency, the terminal's token, and the clock against the platform.

`diagnose_platform` BLOCKS on the network for at most about ``timeout_s`` in all (each step
gets what is left of it; a DNS lookup that overruns is abandoned in a daemon thread): call
it from a worker thread, never from the UI thread. It raises nothing for what it finds:
every problem is a FAIL or WARN `Check`. The steps stop at the first failure (a platform
that cannot be resolved cannot be connected to); its line says what to fix.

Names: ``platform.dns``, ``platform.tcp``, ``platform.tls``, ``platform.health``,
``platform.token``, ``clock``.
"""

from __future__ import annotations

import email.utils
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

import requests

from kiosk.admin.checks import Check, fail, ok, warn
from kiosk.platform_client import API_PREFIX, USER_AGENT

DEFAULT_TIMEOUT_S = 8.0
#: ``GET /health`` slower than this is a warning (a resident waits on every call).
SLOW_MS = 2000.0
#: A certificate ending within this many days is a warning.
CERT_WARN_DAYS = 30
#: Clock offsets (seconds) against the platform's Date header: warning / failure.
CLOCK_WARN_S = 30.0
CLOCK_FAIL_S = 300.0

_URL_FIX = "检查 platform.url"
_NET_FIX = "检查网线/4G 路由器和防火墙（需放行到平台的 TCP {port}）"


@dataclass(frozen=True)
class PlatformTarget:
    """Where the platform is and how this terminal signs in (``token`` never shown)."""

    url: str
    terminal_id: str = ""
    token: str = field(default="", repr=False)
    ca_file: str = ""


def diagnose_platform(target: PlatformTarget, *, timeout_s: float = DEFAULT_TIMEOUT_S,
                      now: Callable[[], float] = time.time) -> list[Check]:
    """Run the steps in order, stopping at the first failure. BLOCKS up to ~``timeout_s``.

    The token step is skipped (not failed) when no token is given. ``now`` is the local
    clock compared with the platform's Date header.
    """
    deadline = time.monotonic() + timeout_s
    parts = urlsplit(target.url)
    host, scheme = parts.hostname or "", parts.scheme
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        return [fail("platform.dns", f"platform.url = {target.url!r} 端口无效", _URL_FIX)]
    if scheme not in ("https", "http") or not host:
        return [fail("platform.dns", f"platform.url = {target.url!r} 不是 https://主机 地址",
                     _URL_FIX)]
    out: list[Check] = []

    addresses, check = _resolve(host, port, _left(deadline))
    out.append(check)
    if not addresses:
        return out
    sock, check = _connect(addresses, host, port, _left(deadline))
    out.append(check)
    if sock is None:
        return out
    try:
        if scheme == "https":
            check = _tls(sock, host, target.ca_file, _left(deadline))
            out.append(check)
            if check.level.value == "FAIL":
                return out
    finally:
        sock.close()
    out += _http_steps(target, _left(deadline), now)
    return out


def _left(deadline: float) -> float:
    return max(0.2, deadline - time.monotonic())


def _resolve(host: str, port: int, timeout_s: float) -> tuple[list[tuple], Check]:
    try:
        ipaddress.ip_address(host)
        literal = True
    except ValueError:
        literal = False
    result: list = []
    error: list[BaseException] = []

    def lookup() -> None:
        try:
            result.extend(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as exc:  # socket.gaierror and friends
            error.append(exc)

    started = time.perf_counter()
    worker = threading.Thread(target=lookup, name="doctor-dns", daemon=True)
    worker.start()
    worker.join(timeout_s)
    ms = (time.perf_counter() - started) * 1000
    if worker.is_alive():
        return [], fail("platform.dns", f"解析 {host} 超时 (> {timeout_s:.1f} s)",
                        "检查 DNS 设置 (/etc/resolv.conf) 和网络连接")
    if error or not result:
        why = str(error[0]) if error else "no address"
        return [], fail("platform.dns", f"无法解析平台主机名 {host}: {why}",
                        f"{_URL_FIX} 的主机名是否正确，再检查 DNS 设置 (/etc/resolv.conf)")
    shown = sorted({r[4][0] for r in result})
    what = "IP 地址，无需解析" if literal else f"解析 {ms:.0f} ms"
    return [r[4] for r in result], ok("platform.dns", f"{host} -> {', '.join(shown[:3])} ({what})")


def _connect(addresses: list[tuple], host: str, port: int,
             timeout_s: float) -> tuple[socket.socket | None, Check]:
    last = ""
    for address in addresses:
        started = time.perf_counter()
        try:
            sock = socket.create_connection(address[:2], timeout=timeout_s)
        except socket.timeout:
            last = f"超时 timeout (> {timeout_s:.1f} s)"
            continue
        except OSError as exc:
            last = exc.strerror or str(exc)
            continue
        ms = (time.perf_counter() - started) * 1000
        return sock, ok("platform.tcp", f"连接 {host}:{port} ({address[0]}) {ms:.0f} ms")
    return None, fail("platform.tcp", f"平台不可达 unreachable: 无法连接 {host}:{port} ({last})",
                      f"{_NET_FIX.format(port=port)}；确认平台地址 platform.url 正确且平台在运行")


def _tls(sock: socket.socket, host: str, ca_file: str, timeout_s: float) -> Check:
    try:
        context = ssl.create_default_context(cafile=ca_file or None)
    except (OSError, ssl.SSLError) as exc:
        return fail("platform.tls", f"platform.ca_file {ca_file!r} 无法使用: {exc}",
                    "检查 platform.ca_file（区里自建 CA 的证书文件，PEM 格式）")
    sock.settimeout(timeout_s)
    started = time.perf_counter()
    try:
        with context.wrap_socket(sock, server_hostname=host) as tls:
            cert = tls.getpeercert() or {}
            version = tls.version() or "TLS"
    except ssl.SSLCertVerificationError as exc:
        reason = exc.verify_message or str(exc)
        fix = ("核对本机时间（见 clock 检查）；" if "expired" in reason or "not yet valid" in reason
               else "") + "证书由区里自建 CA 签发时设置 platform.ca_file；否则联系区运维"
        return fail("platform.tls", f"TLS 证书验证失败 certificate: {reason}", fix)
    except (ssl.SSLError, OSError) as exc:
        return fail("platform.tls", f"TLS 握手失败 handshake: {exc}",
                    "检查是否有代理或网关截获 443 端口；联系区运维")
    ms = (time.perf_counter() - started) * 1000
    not_after = cert.get("notAfter")
    if not not_after:
        return ok("platform.tls", f"{version}, 证书已验证 ({ms:.0f} ms)")
    expires = datetime.fromtimestamp(ssl.cert_time_to_seconds(not_after), timezone.utc)
    days = (expires - datetime.now(timezone.utc)).total_seconds() / 86400
    shown = f"{version}, 证书已验证，{expires:%Y-%m-%d} 到期 expires（剩 {days:.0f} 天）"
    if days < CERT_WARN_DAYS:
        return warn("platform.tls", shown, "平台证书即将到期：通知区运维更换")
    return ok("platform.tls", shown)


def _http_steps(target: PlatformTarget, timeout_s: float,
                now: Callable[[], float]) -> list[Check]:
    """``GET /health`` (latency, Date header -> clock), then an authenticated call."""
    root = target.url.rstrip("/") + API_PREFIX
    session = requests.Session()
    session.trust_env = False  # as the kiosk's client: no stray proxy settings
    verify: str | bool = target.ca_file or True
    out: list[Check] = []
    try:
        sent = now()
        started = time.perf_counter()
        try:
            r = session.get(root + "/health", timeout=(timeout_s, timeout_s), verify=verify,
                            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                            allow_redirects=False)
        except requests.RequestException as exc:
            return [fail("platform.health", f"GET /health 无应答: {_short(exc)}",
                         "平台可连接但不应答：联系区运维确认平台状态")]
        ms = (time.perf_counter() - started) * 1000
        received = now()
        try:
            body = r.json()
        except ValueError:
            body = None
        healthy = r.status_code == 200 and isinstance(body, dict) and body.get("status") == "ok"
        if not healthy:
            out.append(fail("platform.health", f"GET /health 返回 HTTP {r.status_code}",
                            "platform.url 应为平台根地址（不含 /api/v1）；否则平台故障，联系区运维"))
        elif ms > SLOW_MS:
            out.append(warn("platform.health", f"平台应答慢 latency {ms:.0f} ms",
                            "检查网络质量（4G 信号、带宽）；居民每步都要等待"))
        else:
            out.append(ok("platform.health", f"平台正常 latency {ms:.0f} ms"))
        out.append(clock_check(r.headers.get("Date"), (sent + received) / 2))
        if healthy:
            version = body.get("catalogue_version", 0)
            out.append(_token_step(session, root, target, version, timeout_s, verify))
    finally:
        session.close()
    return out


def _token_step(session: requests.Session, root: str, target: PlatformTarget, version: object,
                timeout_s: float, verify: str | bool) -> Check:
    """An authenticated call that changes nothing: the catalogue changes since the version
    the platform holds now (an empty change set)."""
    if not target.token:
        return warn("platform.token", "未设置终端令牌 platform.token，未检查",
                    "用 kiosk-admin provision 写入平台发给本终端的令牌")
    since = version if isinstance(version, int) and version >= 0 else 0
    try:
        r = session.get(root + "/catalogue/changes", params={"since": since},
                        timeout=(timeout_s, timeout_s), verify=verify, allow_redirects=False,
                        headers={"User-Agent": USER_AGENT, "Accept": "application/json",
                                 "Authorization": f"Bearer {target.token}",
                                 "X-Terminal-Id": target.terminal_id})
    except requests.RequestException as exc:
        return fail("platform.token", f"认证调用无应答: {_short(exc)}",
                    "稍后重试；持续失败请联系区运维")
    if r.status_code in (200, 409):  # 409: the version moved on meanwhile; still accepted
        return ok("platform.token", f"终端 {target.terminal_id} 的令牌已被平台接受 accepted")
    if r.status_code in (401, 403):
        code = _error_code(r)
        return fail("platform.token", f"平台拒绝本终端 terminal.id = {target.terminal_id} 的令牌"
                                      f" (HTTP {r.status_code} {code})",
                    "核对 terminal.id 与 platform.token（区运维签发）；用 kiosk-admin provision "
                    "--force 重新写入")
    return fail("platform.token", f"认证调用返回 HTTP {r.status_code} {_error_code(r)}",
                "联系区运维确认平台状态")


def clock_check(date_header: str | None, local_time: float) -> Check:
    """Compare the platform's HTTP ``Date`` (1 s resolution) with ``local_time``.

    A large offset breaks TLS (certificates "not yet valid" / "expired") and puts wrong
    times on receipts, appointments and the log. Does not block."""
    if not date_header:
        return warn("clock", "平台应答没有 Date 头，无法核对本机时间",
                    "用 timedatectl 确认已开启 NTP 时间同步")
    try:
        # The header is cut to the whole second: on average the platform's time is 0.5 s later.
        platform_time = email.utils.parsedate_to_datetime(date_header).timestamp() + 0.5
    except (TypeError, ValueError):
        return warn("clock", f"平台的 Date 头无法解析: {date_header!r}",
                    "用 timedatectl 确认已开启 NTP 时间同步")
    offset = local_time - platform_time
    ahead = "快" if offset > 0 else "慢"
    shown = f"本机时间比平台{ahead} {abs(offset):.0f} s (offset {offset:+.0f} s)"
    fix = ("开启时间同步: timedatectl set-ntp true（无 NTP 时 timedatectl set-time），"
           "时间错误会导致 TLS 证书失效、回执和预约时间错误")
    if abs(offset) > CLOCK_FAIL_S:
        return fail("clock", shown, fix)
    if abs(offset) > CLOCK_WARN_S:
        return warn("clock", shown, fix)
    if abs(offset) < 2.0:
        shown = f"本机时间与平台一致 (offset {offset:+.1f} s；Date 头精度 1 s)"
    return ok("clock", shown)


def _error_code(r: requests.Response) -> str:
    try:
        body = r.json()
    except ValueError:
        return ""
    err = body.get("error") if isinstance(body, dict) else None
    return str(err.get("code", "")) if isinstance(err, dict) else ""


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 160 else text[:157] + "..."
