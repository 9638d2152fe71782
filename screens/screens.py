"""The screens of the foundation: home, help, out-of-service, and the idle warning.

Screens only show state held by the app and forward taps to it; they hold no personal
data of their own except through `KioskScreen.wipe`, which the app calls at session end.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import NumericProperty
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import Screen

from kiosk import home_tiles
from kiosk.home_tiles import HomePage
from kiosk.i18n import N_


class KioskScreen(Screen):
    """Base of every screen. Subclasses that show personal data clear it in `wipe`."""

    def wipe(self) -> None:
        """Called at every session end, on every screen, shown or not."""

    def spoken_text(self) -> str:
        """What voice guidance reads on this screen (its title and what to do)."""
        return " ".join(self.ids[i].text for i in self.SPOKEN if i in self.ids
                        and self.ids[i].text)

    SPOKEN: tuple[str, ...] = ()  # ids of the labels read aloud, in order


class HomeScreen(KioskScreen):
    """The service tiles, as many as fit (kiosk.home_tiles), then "more services"."""

    page = NumericProperty(0)

    def spoken_text(self) -> str:
        # Read only in a session (a touch began it): "touch to begin" would be wrong then.
        from kivy.app import App

        tr = App.get_running_app().tr
        offline = self.ids.offline_banner.ids.offline_text.text
        return " ".join([tr("Government services self-service terminal"),
                         tr("Please choose what you would like to do.")]
                        + ([offline] if offline else []))

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._tiles: list = []
        self._open = None
        self.home_page: HomePage | None = None
        self.ids.tiles.bind(size=lambda *_: Clock.schedule_once(self.layout_tiles, 0))

    def wipe(self) -> None:
        self.first_page()  # the next resident starts with the most-used services

    def on_pre_enter(self, *_args) -> None:
        self.layout_tiles()  # 长者模式 may have changed the order while another screen showed

    def set_tiles(self, tiles, open_flow) -> None:
        """The services offered now (ServiceTile, configured order); ``open_flow(id)``."""
        self._tiles, self._open, self.page = list(tiles), open_flow, 0
        self.layout_tiles()

    def first_page(self) -> None:
        if self.page != 0:
            self.page = 0
            self.layout_tiles()

    def show_page_with(self, tile_id: str) -> bool:
        """Turn to the page that shows ``tile_id``; False when it is not offered."""
        for page in range(len(self._tiles) + 1):
            self.page = page
            self.layout_tiles()
            if any(t.id == tile_id for t in self.home_page.tiles):
                return True
        return False

    def layout_tiles(self, *_args) -> None:
        from kivy.app import App

        from screens.widgets import TileButton

        app = App.get_running_app()
        grid = self.ids.tiles
        if app is None or not self._tiles:
            grid.clear_widgets()
            return
        theme = app.theme
        cols = 3 if self.width > self.height else 2
        gap = theme.spacing
        config = app.services.config.accessibility
        tiles = home_tiles.ordered(self._tiles, elderly=app.elderly,
                                   favourites=config.elderly_home)
        room = home_tiles.capacity(grid.height, min_tile=theme.target * 1.5, gap=gap,
                                   cols=cols, elderly=app.elderly)
        self.home_page = page = home_tiles.page_of(tiles, room, self.page)
        self.page = page.page
        count = len(page.tiles) + (1 if page.more else 0)
        rows = home_tiles.rows_needed(count, cols)
        grid.row_default_height = max(theme.target, min(
            theme.tile, (grid.height - gap * (rows - 1)) / rows))
        grid.clear_widgets()
        for tile in page.tiles:
            button = TileButton(tile_title=tile.title, tile_id=tile.id)
            button.bind(on_release=lambda b: self._open(b.tile_id))
            grid.add_widget(button)
        if page.more:
            more = TileButton(
                tile_title=N_("More services") if page.more == home_tiles.MORE
                else N_("Back to the first services"), tile_id=page.more, kind="secondary")
            more.bind(on_release=lambda _b: self._turn())
            grid.add_widget(more)

    def _turn(self) -> None:
        pages = self.home_page.pages if self.home_page else 1
        self.page = (self.page + 1) % max(1, pages)
        self.layout_tiles()


class HelpScreen(KioskScreen):
    SPOKEN = ("help_title", "help_ask", "help_contact", "help_hours")


class OutOfServiceScreen(KioskScreen):
    SPOKEN = ("oos_title", "oos_message")


class IdleWarning(ModalView):
    """Modal countdown over any screen: "more time" or "finish now"."""

    seconds_left = NumericProperty(0)

    def spoken_text(self) -> str:
        return " ".join(self.ids[i].text for i in ("still_there", "countdown", "cleared"))
