"""/overview: 统计汇总 of a finance bureau, its 汇总表 export and 抽查.

Views are thin: check the officer, read the aggregates (overview.queries) or call the one
operation (overview.sampling.draw_spot_check), commit once, respond.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from workflow_app.evaluations.operations import OperationError
from workflow_app.extensions import db
from workflow_app.overview import charts, queries, sampling
from workflow_app.overview.excel import summary_workbook
from workflow_app.overview.models import SpotCheck

bp = Blueprint("overview", __name__, url_prefix="/overview")


def _officer():  # noqa: ANN202
    user = current_user._get_current_object()
    if not sampling.can_draw(user):
        abort(403)
    return user


def _year(options: list[tuple[int, bool]]) -> tuple[int, str]:
    """The requested fiscal year (default: the newest with something submitted) and a Chinese
    note when the request was not a year."""
    raw = (request.args.get("year") or "").strip()
    fallback = queries.default_year(options, date.today())
    if not raw:
        return fallback, ""
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw), ""
    return fallback, f"年度“{raw[:10]}”无效，已显示 {fallback} 年度。"


@bp.route("/")
@login_required
def index():
    """Per-unit progress, the grade and score charts, execution rate against score, 抽查."""
    user = _officer()
    options = queries.years(user.unit_id)
    years = [y for y, _ in options]
    year, note = _year(options)
    if note:
        flash(note, "warning")
    data = queries.overview(user.unit_id, year, date.today())

    def home(**args) -> str:  # noqa: ANN003
        return url_for("evaluations.home", year=year, **args)

    grade_chart = charts.bar_chart(
        data.grades, label=f"{year} 年度等级分布", css_class="grades",
        link=lambda i: home(grade=data.grades[i][0]))
    band_chart = charts.bar_chart(
        [(label, count) for label, count, _, _ in data.bands], label=f"{year} 年度得分分布",
        css_class="histogram",
        link=lambda i: home(score_from=data.bands[i][2],
                            **({"score_to": data.bands[i][3]} if data.bands[i][3] else {})))
    scatter = charts.scatter(
        data.points, label=f"{year} 年度预算执行率与自评得分",
        link=lambda eid: url_for("evaluations.detail", evaluation_id=eid))
    return render_template("overview/index.html", data=data, year=year, years=years,
                           grade_chart=grade_chart, band_chart=band_chart, scatter=scatter,
                           spot_checks=sampling.spot_checks(user.unit_id),
                           today=date.today(), max_size=sampling.MAX_SIZE)


@bp.route("/export.xlsx")
@login_required
def export():
    """The 汇总表 of the year as an Excel workbook."""
    user = _officer()
    year, _ = _year(queries.years(user.unit_id))
    body = summary_workbook(user.unit.name, user.unit_id, year, date.today())
    name = f"{year}年度绩效自评汇总表.xlsx"
    return Response(body, mimetype="application/vnd.openxmlformats-officedocument."
                                    "spreadsheetml.sheet",
                    headers={"Content-Disposition":
                             f"attachment; filename=summary-{year}.xlsx; "
                             f"filename*=UTF-8''{quote(name)}"})


@bp.route("/spot-checks", methods=["POST"])
@login_required
def draw():
    """Draw and record a 抽查 sample, then show it."""
    user = _officer()
    try:
        spot = sampling.draw_spot_check(user, request.form.get("fiscal_year", ""),
                                        request.form.get("size", ""),
                                        request.form.get("seed", ""))
    except OperationError as exc:
        db.session.rollback()
        if getattr(exc, "status", 422) == 403:
            abort(403)
        flash(str(exc), "error")
        return redirect(url_for("overview.index", year=request.form.get("fiscal_year") or None))
    db.session.commit()
    flash(f"已抽取 {spot.size} 项（随机种子 {spot.seed}），结果已记录。", "success")
    return redirect(url_for("overview.spot_check", spot_check_id=spot.id))


@bp.route("/spot-checks/<int:spot_check_id>")
@login_required
def spot_check(spot_check_id: int):
    """One recorded draw: who, when, seed, size, population and the items."""
    user = _officer()
    spot = db.session.get(SpotCheck, spot_check_id)
    if spot is None or spot.bureau_id != user.unit_id:
        abort(404)
    current = sampling.population(user.unit_id, spot.fiscal_year)
    return render_template("overview/spot_check.html", spot=spot,
                           population_unchanged=sampling.population_hash(current)
                           == spot.population_sha256)


def register(app: Flask) -> None:
    """The /overview blueprint."""
    app.register_blueprint(bp)
