"""一件事: one set of answers carried through several online services.

    (identify) -> BUNDLE (which 一件事) -> the shared application steps for all its services
      (kiosk.flows.application_steps): every form pre-filled from the ID card and
      e-licences, the bundle's own questions and the phone asked once, each material decided
      once -> one pre-check per service -> pickup or post -> confirm
      -> one application per service through the outbox -> one receipt listing them all.

Bundles are data (`BUNDLES`) naming catalogue services that are online on the platform;
a bundle whose services are missing from the offline catalogue is not offered.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.flows.application_steps import ApplicationSteps, Question, State
from kiosk.flows.base import home_choice
from kiosk.flows.view import Choice, Line, Notice, View
from kiosk.i18n import N_

PICK = "bundle:"


@dataclass(frozen=True)
class Bundle:
    id: str
    title: str                       # msgid
    summary: str                     # msgid
    services: tuple[str, ...]        # catalogue service ids (online on the platform)
    questions: tuple[Question, ...] = ()   # shared answers, sent with every application


BUNDLES: tuple[Bundle, ...] = (
    Bundle("newborn", N_("Birth of a baby"),
           N_("Birth registration, medical insurance and a social security card in one go."),
           ("JS-HJ-001", "JS-YB-001", "JS-SB-006"),
           (Question("relation_to_child", "与新生儿关系", ("父亲", "母亲", "其他监护人")),
            Question("child_gender", "新生儿性别", ("男", "女")))),
    Bundle("elderly", N_("Benefits for older people"),
           N_("The senior citizen card, the old-age allowance and the meal service in one "
              "go."),
           ("JS-YL-010", "JS-YL-001", "JS-YL-006"),
           (Question("living", "居住情况", ("独居", "与配偶同住", "与子女同住")),)),
    Bundle("retirement", N_("Retirement"),
           N_("Pension, housing fund withdrawal and the medical insurance e-card in one go."),
           ("JS-SB-004", "JS-GJJ-004", "JS-YB-004")),
)


class BundlesFlow(ApplicationSteps):
    name = "bundles"
    title = N_("One-stop services")
    first_state = State.BUNDLE

    def reset(self) -> None:
        super().reset()
        self.bundle: Bundle | None = None

    def offered(self) -> list[Bundle]:
        store = self.ctx.catalogue()
        if store is None:
            return list(BUNDLES)  # no offline catalogue: the platform decides when loading
        out = []
        for b in BUNDLES:
            services = [store.service(sid) for sid in b.services]
            if all(s is not None and s.online for s in services):
                out.append(b)
        return out

    def bundle_title(self, tr) -> str:
        return tr(self.bundle.title) if self.bundle else ""

    def render_choose(self, tr) -> View:
        title = tr(self.title)
        bundles = self.offered()
        if not bundles:
            return View(title, tr("These services are not available on this terminal yet. "
                                  "Please ask at the window."),
                        choices=(home_choice(tr),),
                        notice=self.notice or Notice("warning", tr("Nothing to choose yet.")))
        store = self.ctx.catalogue()
        lines = []
        for b in bundles:
            names = [s.name for s in (store.service(sid) for sid in b.services) if s] \
                if store is not None else []
            lines.append(Line("、".join(names) or tr(b.summary), label=tr(b.title)))
        return View(title, tr("Several services for one event of life, applied for together. "
                              "You answer each question only once."),
                    lines=tuple(lines),
                    choices=tuple(Choice(f"{PICK}{b.id}", tr(b.title), detail=tr(b.summary))
                                  for b in bundles[:6]),
                    notice=self.notice)

    def handle_choose(self, choice_id: str) -> None:
        if choice_id.startswith(PICK):
            bundle = next((b for b in BUNDLES if b.id == choice_id[len(PICK):]), None)
            if bundle is not None:
                self.bundle = bundle
                self.begin(list(bundle.services), bundle.questions)
