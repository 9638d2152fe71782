"""Pydantic models of the contract: the OpenAPI document is generated from these."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ErrorInfo(BaseModel):
    code: str = Field(examples=["invalid_token"], description="Stable machine code.")
    message: str = Field(description="Calm Chinese sentence the kiosk may show a resident.")
    detail: str = Field(description="English detail for technicians; never shown to residents.")


class ErrorResponse(BaseModel):
    error: ErrorInfo


# -- catalogue ---------------------------------------------------------------------------

class Category(BaseModel):
    id: str
    name: str
    icon: str
    department: str
    sort: int
    version: int


class Material(BaseModel):
    name: str
    original: bool = True
    copies: int = 1
    note: str = ""


class Place(BaseModel):
    centre_id: str
    name: str
    address: str
    phone: str
    hours: str


class Service(BaseModel):
    id: str
    category_id: str
    name: str
    summary: str
    department: str
    conditions: list[str]
    materials: list[Material]
    fee: str = Field(description="免费 or an amount with its basis.")
    time_limit: str = Field(description="承诺时限 as shown, e.g. 即办 or 5个工作日.")
    time_limit_days: int
    where: list[Place]
    online: bool = Field(description="Can be applied for on the terminal (a form exists).")
    cross_province: bool = Field(description="跨省通办 (Jinshan - Pinghu).")
    guide_video_url: Optional[str] = None
    keywords: list[str] = []
    version: int


class MapPoint(BaseModel):
    id: str
    name: str
    kind: str = Field(description="service_centre, self_service, village_station, cross_province")
    address: str
    lat: float
    lon: float
    phone: str
    hours: str
    version: int


class HelpAnswer(BaseModel):
    id: str
    question: str
    answer: str
    topic: str
    version: int


class Catalogue(BaseModel):
    version: int
    updated_at: str
    categories: list[Category]
    services: list[Service]
    map_points: list[MapPoint]
    help_answers: list[HelpAnswer]


class Deletion(BaseModel):
    kind: Literal["category", "service", "map_point", "help_answer"]
    id: str


class CatalogueChanges(BaseModel):
    since: int
    version: int
    categories: list[Category] = []
    services: list[Service] = []
    map_points: list[MapPoint] = []
    help_answers: list[HelpAnswer] = []
    deletions: list[Deletion] = []


# -- identity ----------------------------------------------------------------------------

class CardRecord(BaseModel):
    name: str = Field(min_length=1, max_length=40)
    id_number: str = Field(min_length=15, max_length=18)
    gender: Optional[str] = None
    nation: Optional[str] = None
    birth_date: Optional[str] = None
    address: Optional[str] = None
    issuing_authority: Optional[str] = None
    valid_from: Optional[str] = None
    valid_until: Optional[str] = None


class IdentityRequest(BaseModel):
    method: Literal["card", "code"]
    card: Optional[CardRecord] = None
    code_token: Optional[str] = Field(default=None, max_length=512)

    @model_validator(mode="after")
    def _one_of(self) -> "IdentityRequest":
        if self.method == "card" and self.card is None:
            raise ValueError("method 'card' needs 'card'")
        if self.method == "code" and not self.code_token:
            raise ValueError("method 'code' needs 'code_token'")
        return self


class ResidentProfile(BaseModel):
    resident_token: str = Field(description="Send as X-Resident-Token; valid for this session only.")
    expires_at: str
    display_name: str = Field(description="Masked, e.g. 王*英.")
    id_number_masked: str
    gender: str
    age: int
    elderly: bool = Field(description="60 or over: the kiosk may offer 长者模式.")
    address_area: str


class ResidentContact(BaseModel):
    """GET /residents/me/contact: the registered mobile number, never in full."""
    has_phone: bool
    phone_masked: Optional[str] = Field(default=None, description="e.g. 138****0007; null "
                                                                  "when none is registered.")
    phone_ref: Optional[str] = Field(default=None, description=(
        "Opaque; send as `phone_ref` in an application or call-back request instead of a "
        "number. Bound to this resident and terminal, valid 30 days."))


# -- licences and benefits ---------------------------------------------------------------

class Licence(BaseModel):
    id: str
    kind: str
    title: str
    number_masked: str
    issuer: str
    issued_on: str
    valid_until: Optional[str]


class PrintLine(BaseModel):
    label: str
    value: str


class PrintableLicence(BaseModel):
    licence_id: str
    title: str
    lines: list[PrintLine]
    verify_qr: str = Field(description="Content for the receipt's QR code.")
    watermark: str
    generated_at: str


class Benefit(BaseModel):
    id: str
    name: str
    status: str = Field(description="已享受, 待发放, 可预约, 需申请, ...")
    amount: Optional[str]
    detail: str
    proactive: bool = Field(description="免申即享: granted without an application.")


# -- offline codes (离线码) ----------------------------------------------------------------

OfflineCodeReason = Literal["age_60_plus", "under_18", "disabled"]


class OfflineCodeHeld(BaseModel):
    """The resident's code in force (never its token)."""
    id: str
    issued_at: str
    valid_until: str = Field(description="Last day of validity, YYYY-MM-DD (Asia/Shanghai).")


class OfflineCodeEligibility(BaseModel):
    eligible: bool
    reason: Optional[OfflineCodeReason] = Field(
        description="Why a code may be issued; null when not eligible.")
    reason_label: Optional[str] = Field(description="The reason in Chinese, e.g. 年满60周岁.")
    valid_until: Optional[str] = Field(
        description="Last day a code issued now would be valid (YYYY-MM-DD); null when not "
                    "eligible.")
    current: Optional[OfflineCodeHeld] = Field(
        description="The code in force, revoked when a new one is issued.")
    identified_by_offline_code: bool = Field(
        description="This resident token came from an offline code: a new code needs the "
                    "ID card or 随申码 (403 offline_code_needs_card).")


class OfflineCode(BaseModel):
    id: str = Field(description="Public code id for staff (printed); not a credential.")
    token: str = Field(description="The credential: the QR content. Print it; never show or "
                                   "log it.")
    reason: OfflineCodeReason
    reason_label: str
    holder_name_masked: str = Field(description="Masked, e.g. 王*英.")
    issued_at: str
    valid_until: str = Field(description="Last day of validity, YYYY-MM-DD (Asia/Shanghai).")
    replaced_previous: bool = Field(description="A code in force was revoked by this one.")


# -- appointments ------------------------------------------------------------------------

class Centre(BaseModel):
    id: str
    name: str
    address: str
    lat: float
    lon: float
    phone: str
    hours: str


class Slot(BaseModel):
    time: str
    capacity: int
    free: int


class SlotDay(BaseModel):
    service_id: str
    centre_id: str
    date: str
    slots: list[Slot]


class BookingRequest(BaseModel):
    service_id: str
    centre_id: str
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    time: str = Field(pattern=r"^\d{2}:\d{2}$")


class Appointment(BaseModel):
    id: str
    service_id: str
    service_name: str
    centre_id: str
    centre_name: str
    date: str
    time: str
    status: Literal["booked", "cancelled"]
    created_at: str


# -- applications ------------------------------------------------------------------------

class FormField(BaseModel):
    name: str
    label: str
    type: str
    required: bool
    choices: Optional[list[str]] = None


class FormDefinition(BaseModel):
    service_id: str
    title: str
    fields: list[FormField]
    materials: list[str]


class Applicant(BaseModel):
    name: str = Field(min_length=1, max_length=40)
    id_number: str = Field(min_length=18, max_length=18)


class PrecheckRequest(BaseModel):
    service_id: str
    applicant: Applicant
    answers: dict[str, str] = {}
    materials_provided: list[str] = []
    phone_ref: Optional[str] = Field(default=None, max_length=64, description=(
        "From GET /residents/me/contact: use the registered mobile number for the phone "
        "field (when the answers leave it empty)."))
    no_phone: bool = Field(default=False, description=(
        "The resident has no mobile number to give: the phone field counts as answered; "
        "progress is asked at a terminal or window, results go by the chosen delivery."))


class CheckItem(BaseModel):
    item: str
    ok: bool
    reason: str


class PrecheckResult(BaseModel):
    service_id: str
    ready: bool
    conditions: list[CheckItem]
    materials: list[CheckItem]
    fields: list[CheckItem]


class Attachment(BaseModel):
    """A material photographed at the terminal (or the ID photo taken there)."""
    material: str = Field(min_length=1, max_length=200,
                          description="The material's name, as in the form's materials.")
    content_type: Literal["image/jpeg"] = "image/jpeg"
    data_base64: str = Field(min_length=4, max_length=700_000,
                             description="The JPEG, base64 (at most about 500 kB decoded).")


class AssistedBy(BaseModel):
    """村居代办: the application was made by a village agent with the resident present."""
    agent_token: str = Field(min_length=8, max_length=200,
                             description="From POST /agents/verify; checked, never stored.")
    consented_at: Optional[str] = Field(default=None,
                                        description="When the resident agreed on screen (ISO 8601).")


class ApplicationRequest(BaseModel):
    service_id: str
    applicant: Applicant
    answers: dict[str, str] = {}
    materials_provided: list[str] = []
    phone_ref: Optional[str] = Field(default=None, max_length=64, description=(
        "From GET /residents/me/contact: use the registered mobile number for the phone "
        "field (when the answers leave it empty)."))
    no_phone: bool = Field(default=False, description=(
        "The resident has no mobile number to give: the phone field counts as answered; "
        "progress is asked at a terminal or window, results go by the chosen delivery."))
    attachments: list[Attachment] = Field(default=[], max_length=12)
    submitted_on_terminal_at: Optional[str] = None
    assisted_by: Optional[AssistedBy] = Field(
        default=None, description="Set when a village agent made it (村居代办).")


class AttachmentReceived(BaseModel):
    material: str
    size: int
    sha256: str


class TimelineEvent(BaseModel):
    at: str
    status: str
    title: str
    note: str


class Application(BaseModel):
    id: str
    number: str = Field(description="办件编号 shown to the resident.")
    service_id: str
    service_name: str
    status: str
    submitted_at: str
    timeline: list[TimelineEvent]
    attachments: list[AttachmentReceived] = []


# -- ratings, help, heartbeat -----------------------------------------------------------

class RatingRequest(BaseModel):
    score: int = Field(ge=1, le=5)
    reason: Optional[str] = Field(default=None, max_length=500)
    service_id: Optional[str] = None
    application_id: Optional[str] = None

    @model_validator(mode="after")
    def _reason_for_low(self) -> "RatingRequest":
        if self.score <= 2 and not (self.reason or "").strip():
            raise ValueError("a score of 1 or 2 needs a reason")
        return self


class Receipt(BaseModel):
    id: str
    received_at: str


class HelpRequest(BaseModel):
    kind: Literal["call_back", "assistance", "complaint", "device_problem"]
    message: str = Field(default="", max_length=1000)
    phone: Optional[str] = Field(default=None, max_length=20)
    phone_ref: Optional[str] = Field(default=None, max_length=64, description=(
        "A call-back to the registered number (from GET /residents/me/contact); "
        "`phone` wins when both are given."))
    service_id: Optional[str] = None


class HelpReceipt(Receipt):
    status: str
    expected_response: str


class DeviceStatus(BaseModel):
    name: str
    kind: str
    status: str = Field(description="online, offline, noDevice, hardwareError, userError, busy")
    detail: str = ""


class Backlog(BaseModel):
    outbox_items: int = Field(ge=0)
    oldest_age_s: float = Field(default=0, ge=0)


class Heartbeat(BaseModel):
    model_config = ConfigDict(extra="allow")
    devices: list[DeviceStatus]
    backlog: Backlog
    catalogue_version: int
    app_version: str
    uptime_s: float = Field(ge=0)
    sent_at: Optional[str] = None
    heartbeat_interval_s: Optional[float] = Field(default=None, gt=0, description=(
        "How often this terminal sends; the fleet page flags it 离线 after three periods "
        "of silence (60 s assumed when absent)."))


class HeartbeatAck(BaseModel):
    received_at: str
    catalogue_version: int = Field(description="The platform's current catalogue version.")
    catalogue_stale: bool


class FaultSettings(BaseModel):
    latency_ms: int = 0
    error_rate: float = 0.0
    error_status: int = 503
    timeout_rate: float = 0.0
    timeout_s: float = 30.0
    malformed_rate: float = 0.0
    truncated_rate: float = 0.0
    drop_rate: float = 0.0
    only_paths: list[str] = []
    seed: Optional[int] = None
