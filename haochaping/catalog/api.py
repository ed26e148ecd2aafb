"""Catalog REST endpoints (``/api/v1/catalog``): list/detail, create/update, import/export.

Thin handlers: reads go through ``catalog.selectors.catalog``, writes through
``catalog.services.catalog`` and ``catalog.importing``; both scope by the actor.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import File, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate

from haochaping.accounts.auth import actor_of, api_auth
from haochaping.catalog import schemas as s
from haochaping.catalog.importing.export import catalog_export
from haochaping.catalog.importing.service import catalog_import
from haochaping.catalog.selectors import catalog as sel
from haochaping.catalog.services import catalog as svc
from haochaping.core.bounds import Id
from haochaping.core.clientip import client_ip_or_none
from haochaping.core.errors import ValidationError
from haochaping.core.paging import PageNumbers

router = Router(tags=["catalog"], auth=api_auth)

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def _list(fetch: Any, request: HttpRequest, code: str | None, name: str | None,
          org: str | None) -> Any:
    return fetch(actor=actor_of(request), code=code, name=name, org=org)


@router.get("/regions", response=list[s.RegionOut])
@paginate(PageNumbers, page_size=50)
def regions(request: HttpRequest, code: str | None = None, name: str | None = None) -> Any:
    return sel.region_list(actor=actor_of(request), code=code, name=name)


@router.get("/regions/{pk}", response=s.RegionOut)
def region_detail(request: HttpRequest, pk: Id) -> Any:
    return sel.get_one(sel.region_list(actor=actor_of(request)), pk)


@router.get("/orgs", response=list[s.OrgOut])
@paginate(PageNumbers, page_size=50)
def orgs(request: HttpRequest, code: str | None = None, name: str | None = None,
         parent: str | None = None) -> Any:
    return sel.org_list(actor=actor_of(request), code=code, name=name, parent=parent)


@router.get("/orgs/{pk}", response=s.OrgOut)
def org_detail(request: HttpRequest, pk: Id) -> Any:
    return sel.get_one(sel.org_list(actor=actor_of(request)), pk)


@router.post("/orgs", response={201: s.OrgOut})
def org_create(request: HttpRequest, payload: s.OrgIn) -> Any:
    return 201, svc.org_create(actor=actor_of(request), fields=payload.model_dump())


@router.put("/orgs/{pk}", response=s.OrgOut)
def org_update(request: HttpRequest, pk: Id, payload: s.OrgIn) -> Any:
    actor = actor_of(request)
    org = sel.get_one(sel.org_list(actor=actor), pk)
    return svc.org_update(actor=actor, org=org, fields=payload.model_dump())


@router.get("/halls", response=list[s.HallOut])
@paginate(PageNumbers, page_size=50)
def halls(request: HttpRequest, code: str | None = None, name: str | None = None,
          org: str | None = None) -> Any:
    return _list(sel.hall_list, request, code, name, org)


@router.get("/halls/{pk}", response=s.HallOut)
def hall_detail(request: HttpRequest, pk: Id) -> Any:
    return sel.get_one(sel.hall_list(actor=actor_of(request)), pk)


@router.post("/halls", response={201: s.HallOut})
def hall_create(request: HttpRequest, payload: s.HallIn) -> Any:
    return 201, svc.hall_save(actor=actor_of(request), hall=None, fields=payload.model_dump())


@router.put("/halls/{pk}", response=s.HallOut)
def hall_update(request: HttpRequest, pk: Id, payload: s.HallIn) -> Any:
    actor = actor_of(request)
    hall = sel.get_one(sel.hall_list(actor=actor), pk)
    return svc.hall_save(actor=actor, hall=hall, fields=payload.model_dump())


@router.get("/windows", response=list[s.WindowOut])
@paginate(PageNumbers, page_size=50)
def windows(request: HttpRequest, code: str | None = None, name: str | None = None,
            org: str | None = None) -> Any:
    return _list(sel.window_list, request, code, name, org)


@router.get("/windows/{pk}", response=s.WindowOut)
def window_detail(request: HttpRequest, pk: Id) -> Any:
    return sel.get_one(sel.window_list(actor=actor_of(request)), pk)


@router.post("/windows", response={201: s.WindowOut})
def window_create(request: HttpRequest, payload: s.WindowIn) -> Any:
    return 201, svc.window_save(actor=actor_of(request), window=None, fields=payload.model_dump())


@router.put("/windows/{pk}", response=s.WindowOut)
def window_update(request: HttpRequest, pk: Id, payload: s.WindowIn) -> Any:
    actor = actor_of(request)
    window = sel.get_one(sel.window_list(actor=actor), pk)
    return svc.window_save(actor=actor, window=window, fields=payload.model_dump())


@router.get("/staff", response=list[s.StaffOut])
@paginate(PageNumbers, page_size=50)
def staff(request: HttpRequest, code: str | None = None, name: str | None = None,
          org: str | None = None) -> Any:
    return _list(sel.staff_list, request, code, name, org)


@router.get("/staff/{pk}", response=s.StaffOut)
def staff_detail(request: HttpRequest, pk: Id) -> Any:
    return sel.get_one(sel.staff_list(actor=actor_of(request)), pk)


@router.post("/staff", response={201: s.StaffOut})
def staff_create(request: HttpRequest, payload: s.StaffIn) -> Any:
    return 201, svc.staff_save(actor=actor_of(request), staff=None, fields=payload.model_dump())


@router.put("/staff/{pk}", response=s.StaffOut)
def staff_update(request: HttpRequest, pk: Id, payload: s.StaffIn) -> Any:
    actor = actor_of(request)
    row = sel.get_one(sel.staff_list(actor=actor), pk)
    return svc.staff_save(actor=actor, staff=row, fields=payload.model_dump())


@router.get("/matters", response=list[s.MatterOut])
@paginate(PageNumbers, page_size=50)
def matters(request: HttpRequest, code: str | None = None, name: str | None = None,
            org: str | None = None) -> Any:
    return _list(sel.matter_list, request, code, name, org)


@router.get("/matters/{pk}", response=s.MatterOut)
def matter_detail(request: HttpRequest, pk: Id) -> Any:
    return sel.get_one(sel.matter_list(actor=actor_of(request)), pk)


@router.post("/matters", response={201: s.MatterOut})
def matter_create(request: HttpRequest, payload: s.MatterIn) -> Any:
    return 201, svc.matter_save(actor=actor_of(request), matter=None, fields=payload.model_dump())


@router.put("/matters/{pk}", response=s.MatterOut)
def matter_update(request: HttpRequest, pk: Id, payload: s.MatterIn) -> Any:
    actor = actor_of(request)
    matter = sel.get_one(sel.matter_list(actor=actor), pk)
    return svc.matter_save(actor=actor, matter=matter, fields=payload.model_dump())


@router.post("/import/{entity}", response=s.ImportReportOut)
def import_file(request: HttpRequest, entity: str, file: File[UploadedFile],
                dry_run: bool = False) -> Any:
    """Upload one XLSX or CSV sheet (multipart field ``file``). A dry run answers 200
    with every bad row; a real run with bad rows answers 422 and writes nothing."""
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise ValidationError("import.too_large", "文件过大（上限 50 MB）", field="file")
    result = catalog_import(actor=actor_of(request), entity=entity, data=file.read(),
                            filename=file.name or "", dry_run=dry_run)
    return result.as_dict()


@router.get("/export/{entity}")
def export_file(request: HttpRequest, entity: str,
                format: Literal["xlsx", "csv"] = "xlsx") -> HttpResponse:  # noqa: A002
    exported = catalog_export(actor=actor_of(request), entity=entity, fmt=format,
                              ip=client_ip_or_none(request))
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response
