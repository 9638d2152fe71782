"""办事指南: browse or search the service guides, entirely from the offline catalogue.

    CATEGORIES (paged) --category--> SERVICES (paged) --service--> GUIDE
        |--"搜索事项"--> SEARCH (on-screen keyboard, best matches as you type) --match--> GUIDE
        |                  `--"All N matches"--> RESULTS (paged, no keyboard) --match--> GUIDE
        `--"服务地图"--> MAP (every centre / map point with address, hours, phone)

The guide always opens on CATEGORIES; the keyboard appears only after "搜索事项". In
长者模式 (no typing ever required) the instruction speaks of choosing a kind only and the
search button is secondary, so every guide is reached with large buttons.

Back: GUIDE -> the list it was opened from (SERVICES, SEARCH or RESULTS); RESULTS ->
SEARCH; SERVICES, SEARCH, MAP -> CATEGORIES; CATEGORIES leaves the flow. Nothing here
calls the platform: the guide works offline. When the catalogue was never synced every
state shows a calm "not available yet, please ask the staff" notice with Home.

Keyboard protocol (screens/keyboard.py, View.widget == "keyboard", shown in SEARCH): the
widget calls `type_key(char)` for a letter "a".."z" or " ", `backspace()` and
`clear_query()`; it reads nothing but `query`. The flow keeps the query and renders the
matches (`CatalogStore.search`) after each key: the best TYPING_MATCHES (one in 长者模式,
where keys and buttons are larger and fewer fit under the keyboard) and, when there are
more, "All N matches", which lists them all five a page. Nothing typed here is personal,
but the query is still forgotten at session end (`reset`).
"""

from __future__ import annotations

import enum
from typing import Any

from kiosk.flows.base import Flow, home_choice
from kiosk.flows.guide_render import (guide_view, map_lines, not_available_view,
                                      safe_read)
from kiosk.flows.view import NEXT_PAGE, PREVIOUS_PAGE, Choice, Line, Notice, View, paged
from kiosk.i18n import N_

CATEGORY, SERVICE = "guide:category:", "guide:service:"
SEARCH, MAP = "guide:search", "guide:map"
ALL_MATCHES, TO_SEARCH = "guide:all_matches", "guide:keyboard"
TO_CATEGORIES, TO_LIST = "guide:categories", "guide:list"
TYPING_MATCHES = 5       # matches shown under the keyboard (then "All N matches")
TYPING_MATCHES_ELDERLY = 1
RESULTS_PER_PAGE = 6     # the full list: paged(), five and "Next page" on the first page
SEARCH_LIMIT = 60        # matches fetched per query (ranked best first)
MAX_QUERY = 24           # letters kept in the query


class State(enum.Enum):
    CATEGORIES = "categories"
    SERVICES = "services"
    GUIDE = "guide"
    SEARCH = "search"
    RESULTS = "results"
    MAP = "map"


class GuideFlow(Flow):
    name = "guide"
    title = N_("Service guides")

    def reset(self) -> None:
        self.state = State.CATEGORIES
        self.page = 0                 # page of the list shown (categories / services)
        self.category_page = 0
        self.category_id = ""
        self.service_id = ""
        self.guide_from = State.SERVICES
        self.query = ""
        self.search_page = 0

    # --- the keyboard's side -----------------------------------------------------------
    def type_key(self, char: str) -> None:
        """A key of the on-screen keyboard: one letter (a-z) or a space."""
        if self.state is not State.SEARCH or self._busy or len(char) != 1:
            return
        char = char.lower()
        if not (char.isascii() and (char.isalpha() or char == " ")):
            return
        if char == " " and (not self.query or self.query.endswith(" ")):
            return
        if len(self.query) < MAX_QUERY:
            self.query += char
            self.search_page = 0
        self.notice = None
        self.changed()

    def backspace(self) -> None:
        if self.state is State.SEARCH and self.query:
            self.query, self.search_page, self.notice = self.query[:-1], 0, None
            self.changed()

    def clear_query(self) -> None:
        if self.state is State.SEARCH:
            self.query, self.search_page, self.notice = "", 0, None
            self.changed()

    # --- catalogue reads (local SQLite, fine on the UI thread) ----------------------------
    def _categories(self) -> list[Any]:
        return safe_read(self.ctx, lambda s: s.categories(), [])

    def _services(self) -> list[Any]:
        return safe_read(self.ctx, lambda s: s.services_in(self.category_id), [])

    def _service(self) -> Any:
        return safe_read(self.ctx, lambda s: s.service(self.service_id), None)

    def _hits(self) -> list[Any]:
        query = self.query.strip()
        if not query:
            return []
        return safe_read(self.ctx, lambda s: s.search(query, SEARCH_LIMIT), [])

    # --- rendering ---------------------------------------------------------------------
    def render(self, tr) -> View:
        title = tr(self.title)
        categories = self._categories()
        if not categories:
            return not_available_view(title, tr)
        if self.state is State.SERVICES:
            return self._render_services(tr, categories)
        if self.state is State.GUIDE:
            service = self._service()
            if service is None:  # gone in a sync since it was listed
                self.state = self.guide_from
                self.notice = Notice("info", tr("This guide is no longer in the list."))
                return self.render(tr)
            back_label = (tr("Back to the search") if self.guide_from is State.SEARCH
                          else tr("Back to the list"))
            view = guide_view(service, tr, Choice(TO_LIST, back_label, primary=False))
            return View(view.title, view.instruction, choices=view.choices,
                        lines=view.lines, qr=view.qr, notice=self.notice)
        if self.state is State.SEARCH:
            return self._render_search(tr)
        if self.state is State.RESULTS:
            return self._render_results(tr)
        if self.state is State.MAP:
            centres = safe_read(self.ctx, lambda s: s.centres(), [])
            return View(tr("Service map"),
                        tr("These are the places where you can get services, with their "
                           "opening hours."),
                        lines=map_lines(centres, tr) or (Line(tr("No places are listed "
                                                                 "yet.")),),
                        choices=(Choice(TO_CATEGORIES, tr("Back to the list"),
                                        primary=False), home_choice(tr)),
                        notice=self.notice)
        items = [Choice(f"{CATEGORY}{c.id}", c.name) for c in categories]
        choices, self.page = paged(items, self.page, tr)
        # In 长者模式 browsing by kind is the way shown: no typing is ever required, so
        # search (the one place with a keyboard) stays, but as a secondary button.
        elderly = self.ctx.session.elderly
        return View(title, tr("Which kind of matter is it? Choose one.") if elderly else
                    tr("Which kind of matter is it? Choose one, or search by name."),
                    choices=choices, notice=self.notice,
                    actions=(Choice(SEARCH, tr("Search for a service"), primary=not elderly),
                             Choice(MAP, tr("Service map"), primary=False)))

    def _render_services(self, tr, categories: list[Any]) -> View:
        category = next((c for c in categories if c.id == self.category_id), None)
        items = [Choice(f"{SERVICE}{s.id}", s.name) for s in self._services()]
        if category is None or not items:
            self._to_categories()
            self.notice = Notice("info", tr("This kind has no guides at the moment."))
            return self.render(tr)
        choices, self.page = paged(items, self.page, tr)
        return View(category.name, tr("Choose a service to see its guide."),
                    choices=choices, notice=self.notice,
                    actions=(Choice(TO_CATEGORIES, tr("Back to the list"), primary=False),
                             Choice(SEARCH, tr("Search for a service"), primary=False)))

    def _render_search(self, tr) -> View:
        hits = self._hits()
        query = self.query.strip()
        lines = (Line(self.query or tr("(nothing typed yet)"), label=tr("You typed"),
                      emphasis=bool(self.query)),)
        notice = self.notice
        if not query:
            instruction = tr("Type the pinyin or just the first letters, for example "
                             "\"hkdj\" for {example}. Matches appear as you "
                             "type.").format(example="户口登记")
        elif hits:
            instruction = tr("You typed \"{query}\": {count} services match. Tap one to "
                             "see its guide.").format(query=query, count=len(hits))
        else:
            instruction = tr("You typed \"{query}\".").format(query=query)
            notice = notice or Notice("info", tr("Nothing matches these letters. Check "
                                                 "them, or delete one and try again."))
        # Under the keyboard there is room for few buttons (fewer in 长者模式, where
        # everything is larger); the rest are one tap away on the full list of matches.
        room = TYPING_MATCHES_ELDERLY if self.ctx.session.elderly else TYPING_MATCHES
        choices = [Choice(f"{SERVICE}{h.service_id}", h.name) for h in hits[:room]]
        if len(hits) > room:
            choices.append(Choice(ALL_MATCHES, tr("All {count} matches").format(
                count=len(hits)), primary=False))
        # Nothing to tap yet: offer the way back to the list (with matches, the room
        # under the keyboard is theirs; Back in the bar always leads there too).
        actions = () if hits else (Choice(TO_CATEGORIES, tr("Browse by kind instead"),
                                          primary=False),)
        return View(tr("Search for a service"), instruction, choices=tuple(choices),
                    lines=lines, notice=notice, widget="keyboard", actions=actions)

    def _render_results(self, tr) -> View:
        hits = self._hits()
        if not hits:
            self.state = State.SEARCH
            return self._render_search(tr)
        items = [Choice(f"{SERVICE}{h.service_id}", h.name) for h in hits]
        choices, self.search_page = paged(items, self.search_page, tr, RESULTS_PER_PAGE)
        return View(tr("Search for a service"),
                    tr("Services matching \"{query}\". Tap one to see its guide.").format(
                        query=self.query.strip()),
                    choices=choices, notice=self.notice,
                    actions=(Choice(TO_SEARCH, tr("Back to the keyboard"),
                                    primary=False),))

    # --- taps --------------------------------------------------------------------------
    def handle(self, choice_id: str) -> None:
        if choice_id in (NEXT_PAGE, PREVIOUS_PAGE):
            step = 1 if choice_id == NEXT_PAGE else -1
            if self.state is State.RESULTS:
                self.search_page = max(0, self.search_page + step)
            else:
                self.page = max(0, self.page + step)
        elif choice_id.startswith(CATEGORY):
            self.category_id = choice_id[len(CATEGORY):]
            self._leave_categories(State.SERVICES)
            self.page = 0
        elif choice_id.startswith(SERVICE):
            self.service_id = choice_id[len(SERVICE):]
            self.guide_from = (self.state if self.state in (State.SEARCH, State.RESULTS)
                               else State.SERVICES)
            self.state = State.GUIDE
        elif choice_id == SEARCH:
            self._leave_categories(State.SEARCH)
            self.search_page = 0
        elif choice_id == MAP:
            self._leave_categories(State.MAP)
        elif choice_id == ALL_MATCHES:
            self.state, self.search_page = State.RESULTS, 0
        elif choice_id == TO_SEARCH:
            self.state = State.SEARCH
        elif choice_id == TO_CATEGORIES:
            self._to_categories()
        elif choice_id == TO_LIST:
            self.step_back()

    def step_back(self) -> bool:
        if self.state is State.GUIDE:
            self.state = self.guide_from
        elif self.state is State.RESULTS:
            self.state = State.SEARCH
        elif self.state is State.CATEGORIES:
            return False
        else:
            self._to_categories()
        return True

    def _leave_categories(self, state: State) -> None:
        if self.state is State.CATEGORIES:
            self.category_page = self.page  # the page to come back to
        self.state = state

    def _to_categories(self) -> None:
        self.state, self.page = State.CATEGORIES, self.category_page

    def rating_subject(self) -> dict:
        subject: dict = {"flow": self.name}
        if self.state is State.GUIDE and self.service_id:
            subject["service_id"] = self.service_id
        return subject
