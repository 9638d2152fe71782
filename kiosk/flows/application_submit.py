"""Submitting applications and printing the receipt (kiosk.flows.application_steps).

`submit(flow)`: one idempotency key per service, made once (a retry after a failure reuses
it, so the platform never gets a second application); every application is queued durably
in the outbox inside the job, then the job asks the link to send now and waits up to
`flow.delivery_wait_s` for the platform's answers (`PlatformLink.wait_delivered`). Only an
answer with a 办件编号 makes the receipt a 受理回执; anything else is a slip saying the
application is saved and will be sent automatically, with a reference code.
`print_receipt(flow)`: prints it; a missing or failing printer leaves the screen showing
the numbers, with "print" offered again.
"""

from __future__ import annotations

import logging
import time
import uuid

from kiosk import agent_audit
from kiosk.assistance import AssistanceExpired
from kiosk.flows import application_form as af
from kiosk.flows.application_steps import ApplicationSteps, State
from kiosk.flows.view import Notice
from kiosk.i18n import N_

log = logging.getLogger("kiosk.flows")


def submit(flow: ApplicationSteps) -> None:
    for t in flow.targets:
        flow.keys.setdefault(t.service_id, str(uuid.uuid4()))  # once, reused on retry
    at = flow.ctx.wall_clock()
    try:  # 村居代办: the agent's identity goes with each application, and into the audit
        assisted = agent_audit.for_applications(flow.ctx.session, flow.ctx.terminal_id, at,
                                                list(flow.keys.values()))
    except AssistanceExpired:
        flow.notice = Notice("warning", flow.tr_now(N_(
            "The village agent's sign-in has run out. Please ask the agent to sign in again "
            "under Agent-assisted service, then submit.")))
        return
    items = [(t.service_name, flow.keys[t.service_id],
              af.payload(t.service_id, flow._values_for(t), flow._provided(t), at,
                         attachments=flow._attachments(t)))
             for t in flow.targets]
    if assisted is not None:
        for _name, _key, body in items:
            body["assisted_by"] = dict(assisted.block)
    wait_s = flow.delivery_wait_s

    def job() -> list[af.Outcome]:
        submitter = flow.ctx.submitter()
        for _name, key, body in items:
            submitter.submit("application", body, personal=True, key=key)
            if assisted is not None:  # after its application: the platform links the two
                agent_audit.submit_event(submitter, assisted.events[key],
                                         key=assisted.event_key(key))
        waiter = getattr(submitter, "wait_delivered", None)  # absent: answers come later
        deadline = time.monotonic() + wait_s
        outcomes = []
        for name, key, _body in items:
            answer = None
            if waiter is not None:
                answer = waiter(key, max(0.0, deadline - time.monotonic()))
            outcomes.append(af.Outcome(name, key, answer))
        return outcomes

    def done(outcomes: list[af.Outcome]) -> None:
        flow.outcomes = outcomes
        flow._submitted_at = at
        accepted = sum(1 for o in outcomes if o.accepted)
        log.info("%s: %d application(s) saved in the outbox, %d acknowledged at once",
                 flow.name, len(outcomes), accepted)
        flow._history.clear()
        flow.state = State.DONE
        print_receipt(flow)

    flow.run(job, done, doing="submit application",
             busy_text=N_("Submitting your application..."))


def receipt_of(flow: ApplicationSteps):
    tr = flow.ctx.session_tr()
    return af.build_receipt(flow.outcomes, tr, bundle=flow.bundle_title(tr),
                            delivery=flow.answers.get(af.DELIVERY, ""),
                            to_window=[m for m in flow.materials
                                       if flow.decisions.get(m) == af.WINDOW],
                            terminal_id=flow.ctx.terminal_id,
                            at=flow._submitted_at or flow.ctx.wall_clock())


def print_receipt(flow: ApplicationSteps) -> None:
    printer = flow.ctx.device("printer")
    if printer is None:
        flow.print_failed = True
        flow.notice = Notice("warning", flow.tr_now(N_(
            "The printer is not available. Please note the numbers shown on the screen.")))
        return
    receipt = receipt_of(flow)
    flow.print_failed = False

    def failed(_notice) -> None:
        flow.print_failed = True

    flow.run(lambda: printer.print_receipt(receipt), lambda _result: None,
             doing="print application receipt", failed=failed,
             busy_text=N_("Printing your receipt..."))
