"""The content API: list, create, read and update evaluations (see docs/api.md)."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, request, url_for
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from workflow_app.api.errors import ApiError
from workflow_app.evaluations import access, listing
from workflow_app.evaluations.document import DocumentError, content_hash, to_document
from workflow_app.evaluations.models import Evaluation
from workflow_app.evaluations.operations import OperationError
from workflow_app.evaluations.scorecard import load_options
from workflow_app.evaluations.scoring import IndicatorResult, NodeResult, TreeResult
from workflow_app.evaluations.scoring import format_decimal as _fmt
from workflow_app.exchange.json_io import export_document, import_document
from workflow_app.exchange.operations import NotDraft, StaleVersion, replace_content
from workflow_app.extensions import db

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20


# --------------------------------------------------------------------------- helpers


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 with a Chinese message (never a 500)."""
    data = request.get_data(cache=True)
    if not data.strip():
        raise ApiError(400, "请求体为空：须为 JSON 对象。", code="invalid_json")
    from workflow_app.exchange.json_io import parse_bytes

    try:
        body = parse_bytes(data)
    except DocumentError as exc:
        message = exc.problems[0].replace("文件", "请求体")
        raise ApiError(400, message, code="invalid_json") from None
    if not isinstance(body, dict):
        raise ApiError(400, "请求体须为 JSON 对象。", code="invalid_json")
    return body


def _load(evaluation_id: int, *, for_update: bool = False, eager: bool = True
          ) -> Evaluation | None:
    """The evaluation with its indicator tree, evidence metadata and team in a fixed number of
    queries (``populate_existing``: after a commit every row is expired, and the response
    walks them all; one query per indicator otherwise). ``eager=False`` for a step that does
    not read the content (the response reloads it after the commit anyway)."""
    query = select(Evaluation).where(Evaluation.id == evaluation_id)
    if eager:
        query = query.options(*load_options()).execution_options(populate_existing=True)
    if for_update:
        # `of=`: the joined (outer) unit row cannot be locked on PostgreSQL, nor need it be.
        query = query.with_for_update(of=Evaluation)
    return db.session.scalar(query)


def load_visible(evaluation_id: int, *, for_update: bool = False,
                 eager: bool = True) -> Evaluation:
    """The evaluation, or 404 when it does not exist or the caller may not read it."""
    evaluation = _load(evaluation_id, for_update=for_update, eager=eager)
    if evaluation is None or not access.can_view(g.api_user, evaluation):
        raise ApiError(404, "评价不存在，或者您无权查看。")
    return evaluation


def _int_arg(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"参数 {name} 应为正整数：{raw!r}", code="invalid_parameter") from None
    if value < 1:
        raise ApiError(400, f"参数 {name} 应为正整数：{raw!r}", code="invalid_parameter")
    return value


def _dec(value) -> str | None:  # noqa: ANN001
    return None if value is None else _fmt(value)


def _signatures(evaluation: Evaluation) -> tuple[str, list[dict[str, Any]]]:
    """(content hash of the current revision, signatures) from the workflow area."""
    try:
        from workflow_app.workflow.serialize import current_content_hash, signatures_json
    except ModuleNotFoundError:  # the workflow area is not installed: nothing is signed yet
        return content_hash(to_document(evaluation)), []
    return current_content_hash(evaluation), signatures_json(evaluation)


def _indicator_json(node: dict[str, Any], scores: TreeResult) -> dict[str, Any]:
    code = node["code"]
    out: dict[str, Any] = {"code": code, "name": node["name"], "weight": node.get("weight")}
    children = node.get("children") or []
    if children:
        kids = [_indicator_json(c, scores) for c in children]
        total: NodeResult | None = scores.nodes.get(code)
        out.update(
            score=_dec(total.entered) if total else None,
            computed_score=_dec(total.computed) if total else None,
            flagged=any(k["flagged"] for k in kids),
            children=kids,
        )
        return out
    leaf: IndicatorResult | None = scores.leaves.get(code)
    out.update(
        target=node.get("target", ""),
        actual=node.get("actual", ""),
        score=node.get("score"),
        computed_score=_dec(leaf.computed) if leaf else None,
        computed_status=leaf.status if leaf else "needs_judgement",
        computed_status_reason=leaf.reason if leaf else "",
        inferred_rule=leaf.inferred if leaf else "",
        tier=leaf.tier if leaf else None,
        engine_flags=[{"code": f.code, "severity": f.severity, "message": f.message}
                      for f in (leaf.flags if leaf else ())],
        flagged=bool(leaf and leaf.flagged),
        explanation=leaf.explanation if leaf else "",
        not_applicable=bool(node.get("not_applicable")),
        rule=node.get("rule"),
    )
    return out


def evaluation_summary(evaluation: Evaluation) -> dict[str, Any]:
    """The list form of an evaluation (no scoring: cheap)."""
    return {
        "id": evaluation.id,
        "title": evaluation.title,
        "project_name": evaluation.project_name,
        "kind": evaluation.kind.value,
        "fiscal_year": evaluation.fiscal_year,
        "unit": {"id": evaluation.unit_id, "name": evaluation.unit.name},
        "state": evaluation.state.value,
        "state_label": evaluation.state.label,
        "revision": evaluation.revision_number,
        "version": evaluation.version,
        "updated_at": evaluation.updated_at.isoformat() if evaluation.updated_at else None,
        "url": url_for("api.get_evaluation", evaluation_id=evaluation.id),
    }


def _findings(evaluation: Evaluation, doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The consistency review's findings (docs/api.md, "findings")."""
    from workflow_app.evaluations.findings import review, signing_of

    return [f.as_dict() for f in review(doc, signing_of(evaluation))]


def evaluation_json(evaluation: Evaluation) -> dict[str, Any]:
    """The read form: header, scores (the team's and the rules'), indicators, team, signatures."""
    from workflow_app.evaluations.scorecard import score_evaluation

    doc = export_document(evaluation)
    scores = score_evaluation(evaluation)  # of the same document (remembered in reads)
    digest, signatures = _signatures(evaluation)
    return {
        **evaluation_summary(evaluation),
        "total_weight": doc["total_weight"],
        "total_score": _dec(scores.entered_total),
        "computed_total_score": _dec(scores.computed_total),
        "computed_open_count": scores.open_count,
        "computed_summary": scores.computed_summary,
        "computed_open": [{"code": code, "name": name, "reason": reason}
                          for code, name, reason in scores.open_reasons],
        "grade": scores.entered_grade,
        "computed_grade": scores.computed_grade,
        "grade_scheme": doc["grade_scheme"],
        "flagged": scores.flagged,
        "problems": [{"code": p.code, "kind": p.kind, "message": p.message}
                     for p in scores.problems],
        "findings": _findings(evaluation, doc),
        "indicators": [_indicator_json(n, scores) for n in doc["indicators"]],
        "team": [
            {"username": m["username"], "name": m["name"], "role": m["role"],
             "unit": m["unit"], "position": m["position"], "title": m["title"]}
            for m in doc["team"]
        ],
        "content_hash": digest,
        "signatures": signatures,
        "links": {
            "self": url_for("api.get_evaluation", evaluation_id=evaluation.id),
            "document": url_for("api.get_document", evaluation_id=evaluation.id),
            "transitions": url_for("api.get_evaluation", evaluation_id=evaluation.id)
            + "/transitions/{trigger}",
        },
    }


def _etag(evaluation: Evaluation) -> str:
    return f'"{evaluation.version}"'


def _read_response(evaluation: Evaluation, status: int = 200):
    # The content comes from the document, which loads the tree in a few queries when it is
    # not loaded (expired by a commit, or a read that loaded only the row).
    response = jsonify(evaluation_json(evaluation))
    response.status_code = status
    response.headers["ETag"] = _etag(evaluation)
    return response


def _expected_version(body: dict[str, Any]) -> int:
    if "version" in body and "document" in body:
        value = body["version"]
        if isinstance(value, bool) or not isinstance(value, int):
            raise ApiError(400, "“version”应为整数（读取评价时返回的 version）。",
                           code="invalid_version")
        return value
    header = request.headers.get("If-Match", "").strip()
    if header:
        raw = header.removeprefix("W/").strip('"')
        try:
            return int(raw)
        except ValueError:
            raise ApiError(400, f"If-Match 头应为评价的版本号（如 \"3\"）：{header}",
                           code="invalid_version") from None
    raise ApiError(400,
                   "修改评价须提供读取时的版本号：请求体 {\"version\": N, \"document\": {…}} "
                   "或 If-Match 头。", code="version_required")


def _document_of(body: dict[str, Any]) -> Any:
    if "document" in body:
        unknown = sorted(set(body) - {"document", "version"})
        if unknown:
            raise ApiError(400, f"请求体中有未知字段：{'、'.join(unknown)}", code="invalid_body")
        return body["document"]
    return body


def _document_error(exc: DocumentError) -> ApiError:
    return ApiError(400, "评价内容有误：" + "；".join(exc.problems[:5])
                    + ("……" if len(exc.problems) > 5 else ""),
                    code="invalid_document", details=exc.problems)


# --------------------------------------------------------------------------- handlers


def list_evaluations():
    """GET /api/v1/evaluations?page=&per_page= — the evaluations visible to the caller."""
    page = _int_arg("page", 1)
    per_page = min(_int_arg("per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE)
    query = access.visible_evaluations(g.api_user)
    total = listing.count(query)
    items = listing.fetch_page(query, per_page, (page - 1) * per_page)
    return jsonify({
        "items": [evaluation_summary(e) for e in items],
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": (total + per_page - 1) // per_page,
    })


def create_evaluation():
    """POST /api/v1/evaluations — a new draft in the caller's unit from the exchange JSON."""
    user = g.api_user
    if not access.can_create(user):
        raise ApiError(403, "只有预算单位的填报人可以创建评价。")
    body = json_body()
    try:
        evaluation = import_document(body, preparer=user)
    except DocumentError as exc:
        db.session.rollback()
        raise _document_error(exc) from None
    except OperationError as exc:
        db.session.rollback()
        raise ApiError(422, str(exc)) from None
    db.session.commit()
    response = _read_response(evaluation, 201)
    response.headers["Location"] = url_for("api.get_evaluation", evaluation_id=evaluation.id)
    return response


def get_evaluation(evaluation_id: int):
    """GET /api/v1/evaluations/{id} — one evaluation with scores, team and signatures (its
    document and scores are remembered per content version: ``readcache``)."""
    return _read_response(load_visible(evaluation_id, eager=False))


def get_document(evaluation_id: int):
    """GET /api/v1/evaluations/{id}/document — the exchange JSON (export)."""
    evaluation = load_visible(evaluation_id, eager=False)
    response = jsonify(export_document(evaluation))
    response.headers["ETag"] = _etag(evaluation)
    return response


def update_evaluation(evaluation_id: int):
    """PUT /api/v1/evaluations/{id} — replace a draft's content; a stale version gets 409."""
    user = g.api_user
    body = json_body()
    evaluation = load_visible(evaluation_id, for_update=True)
    if not access.can_edit_content(user, evaluation):
        if evaluation.state.value != "draft":
            raise ApiError(409, f"该评价当前状态为“{evaluation.state.label}”，"
                           "只有草稿可以修改内容。", code="not_draft")
        raise ApiError(403, "只有本单位的填报人可以修改评价内容。")
    expected = _expected_version(body)
    doc = _document_of(body)
    try:
        replace_content(evaluation, doc, user, expected, source="api")
    except StaleVersion as exc:
        db.session.rollback()
        raise ApiError(409, str(exc), code="stale_version") from None
    except StaleDataError:
        db.session.rollback()
        current = db.session.get(Evaluation, evaluation_id)
        raise ApiError(409, str(StaleVersion(current.version if current else 0)),
                       code="stale_version") from None
    except NotDraft as exc:
        db.session.rollback()
        raise ApiError(409, str(exc), code="not_draft") from None
    except DocumentError as exc:
        db.session.rollback()
        raise _document_error(exc) from None
    except OperationError as exc:
        db.session.rollback()
        raise ApiError(getattr(exc, "status", 422), str(exc)) from None
    db.session.commit()
    return _read_response(evaluation)
