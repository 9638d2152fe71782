"""The live camera preview ("camera") and the taken ID photos ("id_photos") special widgets.

"camera": starts the camera's preview stream (`Camera.start_preview`, <= `PREVIEW_FPS`
frames a second) while its screen is shown; each frame arrives on the camera thread, is
kept as the only pending frame and handed to the UI thread through a Clock trigger, drawn
as a texture (mirrored, as people expect to see themselves) and given to
`flow.preview_frame` (the flow checks it off the UI thread). The guidance sentence of the
flow (`flow.guidance(tr)`) is shown large beside the picture. The preview stops when the
screen is left, when the widget is dropped (the view no longer asks for it) and on wipe, so
no camera keeps running. A camera that cannot start is reported to `flow.camera_failed`.

"id_photos": the JPEGs of `flow.photos()`, numbered, side by side.

Both take the height left free on the flow screen (the content area is empty in these
views), at least `MIN_TARGETS` touch targets.
"""

from __future__ import annotations

import io
import logging
import threading
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.image import Image as CoreImage
from kivy.graphics.texture import Texture
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from common.errors import KioskError
from screens.flow_screen import register_special_widget
from screens.widgets import KLabel

log = logging.getLogger(__name__)

PREVIEW_FPS = 15
MIN_TARGETS = 2.5


def bgr_texture(image: Any, mirror: bool = False) -> Texture:
    """A texture of a BGR uint8 HxWx3 array (row 0 at the top)."""
    height, width = image.shape[:2]
    texture = Texture.create(size=(width, height), colorfmt="rgb")
    texture.blit_buffer(image.tobytes(), colorfmt="bgr", bufferfmt="ubyte")
    texture.flip_vertical()
    if mirror:
        texture.flip_horizontal()
    return texture


class FillsFreeHeight:
    """Mixin: size_hint_y None, height = what the flow screen's other rows leave free."""

    def _init_fill(self, screen: Any) -> None:
        self.screen = screen
        self._fit = Clock.create_trigger(lambda _dt: self._fit_height())
        root = screen.children[0] if screen.children else None
        self._column = root
        if root is not None:
            root.bind(size=lambda *_: self._fit())
            for child in root.children:  # (ids are weak proxies: compare real widgets)
                child.bind(height=lambda *_: self._fit())
        self._fit()

    def _fit_height(self) -> None:
        root, theme = self._column, App.get_running_app().theme
        least = theme.target * MIN_TARGETS
        if root is None:
            self.height = least
            return
        content, box = self.screen.ids.content_scroll.parent, self.parent
        if box is None:  # not placed yet: fitted again once it is
            self.height = least
            return
        fixed = sum(c.height for c in root.children if c is not content and c is not box)
        shown = len(root.children)
        free = (root.height - root.padding[1] - root.padding[3]
                - root.spacing * (shown - 1) - fixed)
        self.height = max(least, free)


class CameraView(FillsFreeHeight, BoxLayout):
    def __init__(self, screen: Any, flow: Any, **kwargs) -> None:
        theme = App.get_running_app().theme
        super().__init__(orientation="horizontal", size_hint_y=None, spacing=theme.spacing,
                         **kwargs)
        self.flow = flow
        self.picture = Image(fit_mode="contain", size_hint_x=None)
        self.guidance = KLabel(role="hero", halign="center")
        box = AnchorLayout(anchor_y="center")
        box.add_widget(self.guidance)
        self.add_widget(self.picture)
        self.add_widget(box)
        self.bind(height=lambda *_: setattr(self.picture, "width", self.height * 4 / 3))
        self._lock = threading.Lock()
        self._pending: Any = None
        self._camera: Any = None
        self._active = True
        self.frames_shown = 0
        self._show = Clock.create_trigger(self._show_pending)
        screen.bind(on_enter=self._on_enter, on_leave=self._on_leave)
        self._init_fill(screen)
        self.guidance.text = flow.guidance(App.get_running_app().tr)
        Clock.schedule_once(lambda _dt: self._start_if_shown(), 0)  # not inside refresh

    # --- preview lifecycle --------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._camera is not None

    def _shown(self) -> bool:
        manager = self.screen.manager
        return manager is not None and manager.current == self.screen.name

    def _start_if_shown(self) -> None:
        if self._active and self._camera is None and self._shown():
            self.start()

    def start(self) -> None:
        camera = self.flow.camera()
        if camera is None:
            self.flow.camera_failed(None)
            return
        try:
            camera.start_preview(self._on_frame, fps=PREVIEW_FPS)
        except (KioskError, ValueError) as exc:
            log.warning("camera preview could not start: %s", exc)
            self.flow.camera_failed(exc)
            return
        self._camera = camera
        log.info("camera preview started")

    def stop(self) -> None:
        camera, self._camera = self._camera, None
        if camera is not None:
            camera.stop_preview()  # no frame callback runs after this returns
            log.info("camera preview stopped")
        self._show.cancel()
        with self._lock:
            self._pending = None

    def _on_enter(self, *_args) -> None:
        self._start_if_shown()

    def _on_leave(self, *_args) -> None:
        self.stop()

    # --- frames ---------------------------------------------------------------------------
    def _on_frame(self, frame: Any) -> None:
        """Camera thread: keep only the newest frame, wake the UI thread."""
        with self._lock:
            self._pending = frame
        self._show()

    def _show_pending(self, _dt: float = 0) -> None:
        with self._lock:
            frame, self._pending = self._pending, None
        if frame is None or self._camera is None:
            return
        self.picture.texture = bgr_texture(frame.image, mirror=True)
        self.frames_shown += 1
        self.flow.preview_frame(frame.image)  # may change the view and drop this widget
        if self._camera is not None:
            self.guidance.text = self.flow.guidance(App.get_running_app().tr)

    # --- the flow screen's side -------------------------------------------------------------
    def refresh(self) -> None:
        """The view was redrawn (language, scale, or the flow restarted)."""
        self.spacing = App.get_running_app().theme.spacing
        self.guidance.text = self.flow.guidance(App.get_running_app().tr)
        self._fit()
        self._active = True
        Clock.schedule_once(lambda _dt: self._start_if_shown(), 0)

    def wipe(self) -> None:
        """Dropped, or the session ended: stop the camera, show nothing."""
        self._active = False
        self.stop()
        self.screen.unbind(on_enter=self._on_enter, on_leave=self._on_leave)
        self.picture.texture = None
        self.guidance.text = ""


class PhotoChoices(FillsFreeHeight, BoxLayout):
    """The photos taken (or the one chosen), numbered like the "use photo n" choices."""

    def __init__(self, screen: Any, flow: Any, **kwargs) -> None:
        theme = App.get_running_app().theme
        super().__init__(orientation="horizontal", size_hint_y=None, spacing=theme.spacing,
                         **kwargs)
        self.flow = flow
        self._init_fill(screen)
        self.refresh()

    def refresh(self) -> None:
        self.clear_widgets()
        photos = self.flow.photos()
        for number, data in enumerate(photos, start=1):
            try:  # Kivy's own image loader decodes the JPEG (no OpenCV in screens/)
                texture = CoreImage(io.BytesIO(data), ext="jpg").texture
            except Exception:  # noqa: BLE001 - a broken photo is left out, not a crash
                log.warning("an ID photo could not be decoded for display")
                continue
            cell = BoxLayout(orientation="vertical")
            cell.add_widget(Image(texture=texture, fit_mode="contain"))
            if len(photos) > 1:
                cell.add_widget(KLabel(text=str(number), role="title", halign="center"))
            self.add_widget(cell)
        self._fit()

    def wipe(self) -> None:
        self.clear_widgets()


register_special_widget("camera", lambda screen, flow: CameraView(screen, flow))
register_special_widget("id_photos", lambda screen, flow: PhotoChoices(screen, flow))
