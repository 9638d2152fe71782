"""Plain helpers for online applications (在线申请, 一件事): pre-fill, materials, payloads,
pre-check lines and the printed receipt. No state, no I/O: the flows call them.

Pre-fill: form fields are filled from the ID card the resident identified with (name,
number, gender, nation, birth date, address, validity) and from the e-licences
(`GET /licences`: the social security card stands for the bank account, since benefits are
paid to it). The share filled is `filled fields / all fields` (required and optional).

Materials: a material whose name starts with an e-licence's title (居民身份证, 居民户口簿,
社会保障卡...) is taken from the e-licence (the platform's rule, shown again by the
pre-check); otherwise the resident photographs the paper or brings it to the window.
"""

from __future__ import annotations

import base64

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from common.privacy import mask_id_number, mask_name, mask_phone
from hardware.printer.receipt import Barcode, Feed, KeyValue, Receipt, Separator, Text
from kiosk.flows.view import Line

# form field name -> card key (kiosk.flows.identify.card_payload)
CARD_FIELDS = {"applicant_name": "name", "id_number": "id_number", "gender": "gender",
               "nation": "nation", "birth_date": "birth_date", "address": "address",
               "id_valid_until": "valid_until"}
DELIVERY = "delivery"   # the form's pickup-or-post field: asked as its own step
PHONE_TYPE = "phone"
PHONE_RE = re.compile(r"1[3-9]\d{9}")
# How the phone field is answered without a number (docs/platform-api.md): carried among
# the values, lifted by `payload` to the body's top level. No form field has these names.
PHONE_REF, NO_PHONE = "phone_ref", "no_phone"
CONTACT_KEYS = (PHONE_REF, NO_PHONE)

# Short lists of common answers for required free-text fields (one tap instead of typing).
COMMON_ANSWERS: dict[str, tuple[str, ...]] = {
    "relation": ("本人", "配偶", "子女", "父母", "其他亲属"),
}

# Decisions for a material
E_LICENCE, PHOTO, WINDOW = "licence", "photo", "window"


@dataclass(frozen=True)
class Share:
    filled: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.filled / self.total) if self.total else 100


def licence_base(licence: Mapping[str, Any]) -> str:
    """"居民身份证（电子证照）" -> "居民身份证"."""
    return str(licence.get("title", "")).split("（")[0].split("(")[0].strip()


def licence_for(material: str, licences: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    for lic in licences:
        base = licence_base(lic)
        if base and material.startswith(base):
            return lic
    return None


def prefill(form: Mapping[str, Any], card: Mapping[str, Any],
            licences: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Values for the fields the card and e-licences answer (personal: keep in session)."""
    values: dict[str, str] = {}
    for field in form.get("fields", ()):
        name = field["name"]
        value = ""
        if name in CARD_FIELDS:
            value = str(card.get(CARD_FIELDS[name]) or "").strip()
        elif name == "bank_account":
            ssc = next((lic for lic in licences if lic.get("kind") == "SSC"), None)
            if ssc is not None:
                value = f"{licence_base(ssc)}（金融账户）{ssc.get('number_masked', '')}"
        if value and field.get("type") == "choice" and value not in (field.get("choices") or ()):
            value = ""
        if value:
            values[name] = value
    return values


def share(form: Mapping[str, Any], values: Mapping[str, str]) -> Share:
    names = [f["name"] for f in form.get("fields", ())]
    return Share(sum(1 for n in names if values.get(n)), len(names))


def open_fields(form: Mapping[str, Any], values: Mapping[str, str]) -> list[dict[str, Any]]:
    """Required fields the pre-fill left empty (optional ones are simply left blank)."""
    return [dict(f) for f in form.get("fields", ()) if f.get("required") and not values.get(f["name"])]


def is_phone(text: str) -> bool:
    return bool(PHONE_RE.fullmatch(text))


def payload(service_id: str, answers: Mapping[str, str], provided: Sequence[str],
            submitted_at: float,
            attachments: Mapping[str, bytes] | None = None) -> dict[str, Any]:
    """The application body (docs/platform-api.md): applicant from the pre-filled answers,
    the phone choice (`CONTACT_KEYS`) at the top level, and the photographed materials
    (JPEG, base64) when given."""
    body_answers = {k: v for k, v in answers.items()
                    if k not in ("applicant_name", "id_number", *CONTACT_KEYS) and v}
    body: dict[str, Any] = {
        "service_id": service_id,
        "applicant": {"name": answers.get("applicant_name", ""),
                      "id_number": answers.get("id_number", "")},
        "answers": body_answers,
        "materials_provided": list(provided),
        "submitted_on_terminal_at": iso_utc(submitted_at)}
    if answers.get(PHONE_REF):
        body[PHONE_REF] = answers[PHONE_REF]
    elif answers.get(NO_PHONE):
        body[NO_PHONE] = True
    if attachments:
        body["attachments"] = [
            {"material": name, "content_type": "image/jpeg",
             "data_base64": base64.b64encode(bytes(data)).decode("ascii")}
            for name, data in attachments.items()]
    return body


def is_id_photo_material(name: str) -> bool:
    """证件照 / 免冠照片 materials, which the ID photo taken at the terminal can provide
    (a group photo, 合影, cannot)."""
    return ("证件照" in name or "免冠照片" in name) and "合影" not in name


def iso_utc(at: float) -> str:
    return datetime.fromtimestamp(at, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_time(at: float) -> str:
    return datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M")


def shown_value(name: str, value: str) -> str:
    """What the screen may show of a pre-filled value: names and numbers masked, the
    address only as 'filled in' (the resident sees it is there, a passer-by learns nothing)."""
    if name == "applicant_name":
        return mask_name(value)
    if name == "id_number":
        return mask_id_number(value)
    if name == PHONE_TYPE:
        return mask_phone(value)
    if name == "address":
        return ""
    return value


def reference(key: str) -> str:
    """The code a resident quotes for a queued submission: the key's first 8 characters."""
    return key[:8]


def check_lines(result: Mapping[str, Any], tr) -> list[Line]:
    """The platform's pre-check, one line per condition, material and field, with reasons."""
    lines: list[Line] = []
    for group, heading in (("conditions", tr("Conditions")), ("materials", tr("Materials")),
                           ("fields", tr("Form"))):
        items = result.get(group) or []
        if not items:
            continue
        lines.append(Line(heading, emphasis=True))
        for item in items:
            mark = tr("OK") if item.get("ok") else tr("To do")
            lines.append(Line(f"{mark}: {item.get('reason', '')}", label=item.get("item", ""),
                              emphasis=not item.get("ok")))
    return lines


def failing(result: Mapping[str, Any]) -> dict[str, list[str]]:
    return {group: [i.get("item", "") for i in result.get(group) or [] if not i.get("ok")]
            for group in ("conditions", "materials", "fields")}


@dataclass(frozen=True)
class Outcome:
    """One submitted application: its service, key and the platform's answer (or None)."""

    service_name: str
    key: str
    answer: Mapping[str, Any] | None = None

    @property
    def accepted(self) -> bool:
        return bool(self.answer and self.answer.get("number"))


def outcome_lines(outcomes: Sequence[Outcome], tr) -> list[Line]:
    lines: list[Line] = []
    for o in outcomes:
        lines.append(Line(o.service_name, emphasis=True))
        if o.accepted:
            lines.append(Line(str(o.answer["number"]), label=tr("Application number")))
        else:
            lines.append(Line(tr("Saved. It will be sent automatically when the network is "
                                 "back."), label=tr("Status")))
            lines.append(Line(reference(o.key), label=tr("Reference code")))
    return lines


def outcome_speech(outcomes: Sequence[Outcome], tr) -> str:
    """The receipt read aloud: each service with its application number or reference code
    (numbers the resident needs; nothing personal)."""
    said = []
    for o in outcomes:
        if o.accepted:
            said.append(tr("{service}: application number {number}.").format(
                service=o.service_name, number=o.answer["number"]))
        else:
            said.append(tr("{service}: saved, reference code {code}.").format(
                service=o.service_name, code=reference(o.key)))
    return " ".join(said)


def build_receipt(outcomes: Sequence[Outcome], tr, *, bundle: str = "", delivery: str = "",
                  to_window: Sequence[str] = (), terminal_id: str = "",
                  at: float = 0.0) -> Receipt:
    """受理回执 only when the platform answered for every application; otherwise a slip
    that says the submission is saved and queued, with reference codes, never 'accepted'."""
    all_accepted = bool(outcomes) and all(o.accepted for o in outcomes)
    title = tr("Acceptance receipt") if all_accepted else tr("Application saved")
    lines: list[Any] = []
    if bundle:
        lines.append(Text(bundle, bold=True))
    for o in outcomes:
        lines.append(Separator())
        lines.append(KeyValue(tr("Service"), o.service_name))
        if o.accepted:
            lines.append(KeyValue(tr("Application number"), str(o.answer["number"])))
            lines.append(Barcode(str(o.answer["number"])))
        else:
            lines.append(Text(tr("Saved. It will be sent automatically when the network is "
                                 "back.")))
            lines.append(KeyValue(tr("Reference code"), reference(o.key)))
    lines.append(Separator())
    if delivery:
        lines.append(KeyValue(tr("Pickup or post"), delivery))
    for name in to_window:
        lines.append(KeyValue(tr("Bring to the window"), name))
    lines.append(KeyValue(tr("Submitted"), local_time(at)))
    if terminal_id:
        lines.append(KeyValue(tr("Terminal"), terminal_id))
    lines.append(Feed())
    footer = (tr("Check the progress under 'Application progress' with this number.")
              if all_accepted else
              tr("Nothing is lost. Quote the reference code if you ask the staff."))
    return Receipt(title=title, lines=lines, footer=footer)
