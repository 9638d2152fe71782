"""Transports to a real printer, each over one python-escpos connection class.

python-escpos is used for connecting and for ``_raw`` writes only. Status answers are read
here with a short, bounded timeout: escpos' ``query_status`` waits on the connection's own
timeout and ``paper_status`` takes silence for "paper OK". Every library and OS error is
turned into a printer error: PrinterNotFoundError when the printer is not (or no longer)
there, PrinterTimeoutError when it stopped taking bytes.

A link builds a fresh escpos object on every `open`, so a reconnect after the printer
came back starts from a clean socket or port.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

import serial

from hardware.errors import PrinterError
from hardware.printer.errors import PrinterNotFoundError, PrinterTimeoutError

log = logging.getLogger(__name__)


def _escpos():
    """python-escpos, imported on first use: loading its printer profiles costs ~0.2 s,
    which the kiosk's start-up and configuration check should not pay."""
    import escpos.exceptions
    import escpos.printer

    return escpos


def usb_is_usable() -> bool:
    """Whether pyusb (python-escpos' USB backend) is installed."""
    from escpos.printer.usb import is_usable

    return is_usable()


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


class EscposLink:
    """Base: opens and closes the escpos object; subclasses write and ask."""

    has_status = True

    def __init__(self, *, timeout_s: float, status_timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self.status_timeout_s = status_timeout_s
        self._printer: Any = None

    @property
    def description(self) -> str:
        raise NotImplementedError

    def _build(self) -> Any:
        """A fresh python-escpos printer object for this connection."""
        raise NotImplementedError

    def open(self) -> None:
        """Connect. Raises PrinterNotFoundError (nothing there) or PrinterError."""
        printer = self._build()
        try:
            printer.open()
        except _escpos().exceptions.DeviceNotFoundError as exc:
            raise PrinterNotFoundError(f"{self.description}: {_one_line(exc)}") from exc
        self._printer = printer
        self._opened()

    def _opened(self) -> None:
        """Hook: adjust the freshly opened connection."""

    def close(self) -> None:
        """Disconnect; never raises."""
        printer, self._printer = self._printer, None
        if printer is None:
            return
        try:
            printer.close()
        except (OSError, _escpos().exceptions.Error) as exc:  # a vanished device may fail
            log.debug("%s: close failed: %s", self.description, exc)

    def write(self, data: bytes) -> None:
        raise NotImplementedError

    def ask(self, query: bytes) -> bytes | None:
        """Send a status request; the answer, or None after ``status_timeout_s``."""
        raise NotImplementedError


class NetworkLink(EscposLink):
    """TCP (port 9100) through ``escpos.printer.Network``."""

    def __init__(self, host: str, port: int = 9100, *, timeout_s: float = 5.0,
                 status_timeout_s: float = 0.5) -> None:
        super().__init__(timeout_s=timeout_s, status_timeout_s=status_timeout_s)
        self.host, self.port = host, port

    @property
    def description(self) -> str:
        return f"socket://{self.host}:{self.port}"

    def _build(self) -> Any:
        return _escpos().printer.Network(self.host, self.port, timeout=self.timeout_s)

    def _socket(self) -> socket.socket:
        if self._printer is None:
            raise PrinterNotFoundError(f"{self.description}: not connected")
        return self._printer.device

    def write(self, data: bytes) -> None:
        self._socket()
        try:
            self._printer._raw(data)
        except TimeoutError as exc:
            raise PrinterTimeoutError(f"{self.description}: the printer took no bytes for "
                                      f"{self.timeout_s:g} s") from exc
        except OSError as exc:
            raise PrinterNotFoundError(f"{self.description}: connection lost while "
                                       f"sending: {_one_line(exc)}") from exc

    def ask(self, query: bytes) -> bytes | None:
        sock = self._socket()
        try:
            self._drain(sock)
            self._printer._raw(query)
            sock.settimeout(self.status_timeout_s)
            answer = self._printer._read()
        except TimeoutError:
            return None
        except OSError as exc:
            raise PrinterNotFoundError(f"{self.description}: connection lost: "
                                       f"{_one_line(exc)}") from exc
        finally:
            _set_timeout(sock, self.timeout_s)
        if not answer:
            raise PrinterNotFoundError(f"{self.description}: connection closed by the printer")
        return answer

    def _drain(self, sock: socket.socket) -> None:
        """Drop bytes left over (a late answer to a timed-out request) so this answer is
        not mistaken for that one; an end of stream means the printer hung up."""
        sock.setblocking(False)
        try:
            while True:
                if not sock.recv(64):
                    raise PrinterNotFoundError(f"{self.description}: connection closed "
                                               "by the printer")
        except BlockingIOError:
            pass
        finally:
            _set_timeout(sock, self.timeout_s)


def _set_timeout(sock: socket.socket, timeout_s: float) -> None:
    try:
        sock.settimeout(timeout_s)
    except OSError:  # already closed: the caller is reporting that
        pass


class SerialLink(EscposLink):
    """RS-232 or USB-serial through ``escpos.printer.Serial``."""

    def __init__(self, devfile: str, baudrate: int = 9600, *, dsrdtr: bool = True,
                 timeout_s: float = 5.0, status_timeout_s: float = 0.5) -> None:
        super().__init__(timeout_s=timeout_s, status_timeout_s=status_timeout_s)
        self.devfile, self.baudrate, self.dsrdtr = devfile, baudrate, dsrdtr

    @property
    def description(self) -> str:
        return f"serial:{self.devfile}@{self.baudrate}"

    def _build(self) -> Any:
        return _escpos().printer.Serial(self.devfile, self.baudrate, timeout=self.timeout_s, dsrdtr=self.dsrdtr)

    def _opened(self) -> None:
        # escpos sets no write timeout: with flow control and the printer off, a write
        # would block forever
        self._printer.device.write_timeout = self.timeout_s

    def write(self, data: bytes) -> None:
        if self._printer is None:
            raise PrinterNotFoundError(f"{self.description}: not connected")
        try:
            self._printer._raw(data)
        except serial.SerialTimeoutException as exc:
            raise PrinterTimeoutError(f"{self.description}: the printer took no bytes for "
                                      f"{self.timeout_s:g} s") from exc
        except (serial.SerialException, OSError) as exc:
            raise PrinterNotFoundError(f"{self.description}: {_one_line(exc)}") from exc

    def ask(self, query: bytes) -> bytes | None:
        if self._printer is None:
            raise PrinterNotFoundError(f"{self.description}: not connected")
        port = self._printer.device
        try:
            port.reset_input_buffer()  # a late answer to an earlier request
            port.write(query)
            port.timeout = self.status_timeout_s
            answer = port.read(1)  # read(16) would wait the whole timeout for 16 bytes
            if answer and port.in_waiting:
                answer += port.read(port.in_waiting)
        except serial.SerialTimeoutException:
            return None
        except (serial.SerialException, OSError) as exc:
            raise PrinterNotFoundError(f"{self.description}: {_one_line(exc)}") from exc
        finally:
            try:
                port.timeout = self.timeout_s
            except (serial.SerialException, OSError):
                pass
        return answer or None


class UsbLink(EscposLink):
    """USB printer class device through ``escpos.printer.Usb`` (needs pyusb)."""

    def __init__(self, vendor_id: int, product_id: int, *, in_ep: int = 0x82,
                 out_ep: int = 0x01, timeout_s: float = 5.0,
                 status_timeout_s: float = 0.5) -> None:
        super().__init__(timeout_s=timeout_s, status_timeout_s=status_timeout_s)
        self.vendor_id, self.product_id = vendor_id, product_id
        self.in_ep, self.out_ep = in_ep, out_ep

    @property
    def description(self) -> str:
        return f"usb:{self.vendor_id:04x}:{self.product_id:04x}"

    def _build(self) -> Any:
        if not usb_is_usable():
            raise PrinterError(f"{self.description}: the usb driver needs pyusb")
        return _escpos().printer.Usb(self.vendor_id, self.product_id, timeout=int(self.timeout_s * 1000),
                   in_ep=self.in_ep, out_ep=self.out_ep)

    def _usb_error(self, exc: Exception) -> PrinterError:
        # ENODEV (19) and EIO (5) are what libusb reports for an unplugged device
        if getattr(exc, "errno", None) in (5, 19):
            return PrinterNotFoundError(f"{self.description}: {_one_line(exc)}")
        return PrinterError(f"{self.description}: {_one_line(exc)}")

    def write(self, data: bytes) -> None:
        import usb.core
        if self._printer is None:
            raise PrinterNotFoundError(f"{self.description}: not connected")
        try:
            self._printer._raw(data)
        except usb.core.USBTimeoutError as exc:
            raise PrinterTimeoutError(f"{self.description}: the printer took no bytes for "
                                      f"{self.timeout_s:g} s") from exc
        except usb.core.USBError as exc:
            raise self._usb_error(exc) from exc

    def ask(self, query: bytes) -> bytes | None:
        import usb.core
        if self._printer is None:
            raise PrinterNotFoundError(f"{self.description}: not connected")
        device = self._printer.device
        try:
            try:
                while device.read(self.in_ep, 64, timeout=1):
                    pass  # drop a late answer to an earlier request
            except usb.core.USBTimeoutError:
                pass
            device.write(self.out_ep, query, int(self.timeout_s * 1000))
            answer = device.read(self.in_ep, 16, timeout=int(self.status_timeout_s * 1000))
        except usb.core.USBTimeoutError:
            return None
        except usb.core.USBError as exc:
            raise self._usb_error(exc) from exc
        return bytes(answer) or None


class FileLink(EscposLink):
    """A device file (``/dev/usb/lp0``) through ``escpos.printer.File``: write only, so
    there is no status and no job is ever confirmed."""

    has_status = False

    def __init__(self, devfile: str) -> None:
        super().__init__(timeout_s=0.0, status_timeout_s=0.0)
        self.devfile = devfile

    @property
    def description(self) -> str:
        return f"file:{self.devfile}"

    def _build(self) -> Any:
        return _escpos().printer.File(self.devfile)

    def write(self, data: bytes) -> None:
        if self._printer is None:
            raise PrinterNotFoundError(f"{self.description}: not open")
        try:
            self._printer._raw(data)
        except OSError as exc:
            raise PrinterNotFoundError(f"{self.description}: {_one_line(exc)}") from exc

    def ask(self, query: bytes) -> bytes | None:
        return None
