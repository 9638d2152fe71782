"""The resident flows that are built, in home-screen order, and their tiles."""

from __future__ import annotations

from kiosk.availability import ServiceTile
from kiosk.flows.base import Flow
from kiosk.flows.benefits import BenefitsFlow
from kiosk.flows.context import FlowContext

# One line each; the home screen orders tiles by the configuration (services.enabled).
FLOW_CLASSES: tuple[type[Flow], ...] = (
    BenefitsFlow,
)


def build_flows(ctx: FlowContext) -> dict[str, Flow]:
    return {cls.name: cls(ctx) for cls in FLOW_CLASSES}


def flow_tiles() -> tuple[ServiceTile, ...]:
    return tuple(ServiceTile(cls.name, cls.title, cls.name, cls.requires)
                 for cls in FLOW_CLASSES)
