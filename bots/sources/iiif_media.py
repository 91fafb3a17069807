"""The media of a IIIF canvas: its painting annotations' bodies, and the largest image an Image API service gives."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bots.sources.iiif_values import as_list, as_number, node_id, node_type


@dataclass(frozen=True)
class Body:
    id: str
    kind: str  # Image, Sound, Video or Other
    format: str
    width: Any
    height: Any
    duration: Any
    service_id: str
    service_url: str

    @property
    def file_url(self) -> str:
        return self.service_url or self.id

    @property
    def area(self) -> float:
        return as_number(self.width) * as_number(self.height)


def choose_body(canvas: dict[str, Any], version: int) -> Body | None:
    bodies = [b for b in painting_bodies(canvas, version) if b.id or b.service_url]
    images = [b for b in bodies if b.kind == "Image"]
    timed = [b for b in bodies if b.kind in ("Sound", "Video")]
    if timed and (canvas.get("duration") is not None or not images):
        return timed[0]
    if images:
        return max(images, key=lambda body: body.area)  # the first of equals
    others = [b for b in bodies if b.kind == "Other" and not b.format.startswith("text/")]
    return others[0] if others else None


def painting_bodies(canvas: dict[str, Any], version: int) -> Iterator[Body]:
    if version == 3:
        for page in as_list(canvas.get("items")):
            if not isinstance(page, dict):
                continue
            for annotation in as_list(page.get("items")):
                if isinstance(annotation, dict) and is_painting(annotation):
                    for body in expand_bodies(annotation.get("body")):
                        yield make_body(body, version)
        return
    for annotation in as_list(canvas.get("images")):
        if isinstance(annotation, dict):
            for body in expand_bodies(annotation.get("resource")):
                yield make_body(body, version)


def is_painting(annotation: dict[str, Any]) -> bool:
    motivation = annotation.get("motivation")
    if motivation is None:
        return True
    return any(str(m).endswith("painting") for m in as_list(motivation))


def expand_bodies(body: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Bodies inside lists, choices and specific resources, flattened."""
    if depth > 8:
        return
    if isinstance(body, str):
        yield {"id": body}
    elif isinstance(body, list):
        for item in body:
            yield from expand_bodies(item, depth + 1)
    elif isinstance(body, dict):
        kind = node_type(body)
        if kind in ("Choice", "oa:Choice"):
            yield from expand_bodies(body.get("items"), depth + 1)
            yield from expand_bodies(body.get("default"), depth + 1)
            yield from expand_bodies(body.get("item"), depth + 1)
        elif kind in ("SpecificResource", "oa:SpecificResource"):
            yield from expand_bodies(body.get("source") or body.get("full"), depth + 1)
        else:
            yield body


def make_body(body: dict[str, Any], version: int) -> Body:
    media_format = body.get("format") if isinstance(body.get("format"), str) else ""
    kind = body_kind(node_type(body), media_format or "")
    service_id, service_url = ("", "")
    if kind == "Image":
        service_id, service_url = image_service(body.get("service"), version)
    return Body(
        id=node_id(body),
        kind=kind,
        format="image/jpeg" if service_url else (media_format or ""),
        width=body.get("width"),
        height=body.get("height"),
        duration=body.get("duration"),
        service_id=service_id,
        service_url=service_url,
    )


def body_kind(type_name: str, media_format: str) -> str:
    name = type_name.rsplit(":", 1)[-1].lower()
    if name in ("image", "stillimage"):
        return "Image"
    if name in ("sound", "audio"):
        return "Sound"
    if name in ("video", "movingimage"):
        return "Video"
    prefix = media_format.split("/", 1)[0].lower()
    return {"image": "Image", "audio": "Sound", "video": "Video"}.get(prefix, "Other")


def image_service(services: Any, version: int) -> tuple[str, str]:
    """(service id, full-size image URL) of the first IIIF Image API service."""
    for service in as_list(services):
        if isinstance(service, str):
            service = {"id": service}
        if not isinstance(service, dict):
            continue
        service_id = node_id(service)
        if not service_id:
            continue
        image_version = image_api_version(service, version)
        if image_version is None:
            continue
        base = service_id.rstrip("/")
        if image_version >= 3:
            return service_id, f"{base}/full/max/0/default.jpg"
        if image_version == 2:
            return service_id, f"{base}/full/full/0/default.jpg"
        return service_id, f"{base}/full/full/0/native.jpg"
    return "", ""


def image_api_version(service: dict[str, Any], presentation: int) -> int | None:
    kind = node_type(service)
    described = " ".join(
        str(v) for key in ("@context", "profile") for v in as_list(service.get(key))
    )
    for number in (3, 2, 1):
        if kind == f"ImageService{number}" or f"iiif.io/api/image/{number}" in described:
            return number
    if kind in ("", "ImageService") and "level" in described:
        return 3 if presentation == 3 else 2
    return None
