"""The resident flows that are built, in home-screen order, and their tiles."""

from __future__ import annotations

from kiosk.availability import ServiceTile
from kiosk.flows.base import Flow
from kiosk.flows.agent import AgentFlow
from kiosk.flows.appointment import AppointmentFlow
from kiosk.flows.apply import ApplyFlow
from kiosk.flows.benefits import BenefitsFlow
from kiosk.flows.bundles import BundlesFlow
from kiosk.flows.context import FlowContext
from kiosk.flows.licences import LicencesFlow
from kiosk.flows.offline_code import OfflineCodeFlow
from kiosk.flows.progress import ProgressFlow
from kiosk.flows.cross_province import CrossProvinceFlow
from kiosk.flows.guide import GuideFlow
from kiosk.flows.help_request import HelpFlow
from kiosk.flows.id_photo import IdPhotoFlow
from kiosk.flows.rating import RatingFlow

# One line each; the home screen orders tiles by the configuration (services.enabled).
FLOW_CLASSES: tuple[type[Flow], ...] = (
    BenefitsFlow,
    ApplyFlow,
    BundlesFlow,
    GuideFlow,
    CrossProvinceFlow,
    ProgressFlow,
    LicencesFlow,
    OfflineCodeFlow,
    AppointmentFlow,
    IdPhotoFlow,
    AgentFlow,
    RatingFlow,
    HelpFlow,
)


def build_flows(ctx: FlowContext) -> dict[str, Flow]:
    return {cls.name: cls(ctx) for cls in FLOW_CLASSES}


def flow_tiles() -> tuple[ServiceTile, ...]:
    """Home tiles; a flow with `tile = False` (rating, help) is reached another way."""
    return tuple(ServiceTile(cls.name, cls.title, cls.name, cls.requires)
                 for cls in FLOW_CLASSES if getattr(cls, "tile", True))
