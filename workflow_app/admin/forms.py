"""Forms of the administrator's pages (WTForms; messages in Chinese)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from workflow_app.evaluations.models import EvaluationKind
from workflow_app.units.models import UnitKind


def _max(max_len: int, label: str) -> Length:
    return Length(max=max_len, message=f"{label}不能超过 {max_len} 个字")


PHONE = Regexp(r"^[0-9+\-() ]*$", message="电话只能包含数字、空格和 + - ( )")


class UnitForm(FlaskForm):
    """A budget unit or a finance bureau."""

    name = StringField("单位全称", validators=[DataRequired("请填写单位全称"),
                                               _max(200, "单位全称")])
    short_name = StringField("简称", validators=[_max(60, "简称")])
    kind = SelectField("单位类型", choices=[SelectChoice(k.value, k.label) for k in UnitKind])
    supervising_department = StringField(
        "主管部门", validators=[_max(200, "主管部门")])
    bureau_id = SelectField("监管财政局", choices=[], validate_choice=False)


class UserForm(FlaskForm):
    """A user account with its unit and global roles."""

    username = StringField("用户名", validators=[
        DataRequired("请填写用户名"), Length(min=2, max=64, message="用户名为 2–64 个字符"),
        Regexp(r"^[A-Za-z0-9_.\-]+$", message="用户名只能使用字母、数字、下划线、点和连字符")])
    name = StringField("姓名", validators=[DataRequired("请填写姓名"),
                                           _max(64, "姓名")])
    unit_id = SelectField("所属单位", choices=[], validate_choice=False)
    position = StringField("职务", validators=[_max(64, "职务")])
    title = StringField("职称", validators=[_max(64, "职称")])
    phone = StringField("电话", validators=[_max(32, "电话"), PHONE])
    email = StringField("电子邮箱", validators=[Optional(), Email("电子邮箱格式不正确"),
                                                Length(max=254, message="电子邮箱过长")])
    # Only when creating the account: an initial password the user must change at first login.
    # Roles and later password resets are the security administrator's (三员分立).
    password = PasswordField("初始密码", validators=[Optional(), Length(
        min=8, max=128, message="密码至少 8 位")])
    active = BooleanField("启用（可以登录）", default=True)
    # The business roles are organisation data the system administrator keeps; the three
    # administrator roles are granted only by the security administrator (三员分立).
    is_preparer = BooleanField("填报人")
    is_finance_officer = BooleanField("财政局审核员")


class BandForm(Form):
    """One grade of a scheme (no CSRF of its own: it lives inside SchemeForm)."""

    name = StringField("等级名称", validators=[Optional(), Length(max=40, message="等级名称过长")])
    min_score = DecimalField("最低分", places=None, validators=[Optional()],
                             render_kw={"inputmode": "decimal"})

    class Meta:
        csrf = False


class SchemeForm(FlaskForm):
    """A grade scheme: a name, an optional bureau, and its bands."""

    name = StringField("方案名称", validators=[DataRequired("请填写方案名称"),
                                               _max(100, "方案名称")])
    bureau_id = SelectField("适用财政局", choices=[], validate_choice=False)
    bands = FieldList(FormField(BandForm), min_entries=6, max_entries=12)


class TemplateForm(FlaskForm):
    """An indicator template: the tree is the JSON of docs/evaluation-schema.md."""

    key = StringField("模板标识", validators=[
        DataRequired("请填写模板标识"), Length(max=60, message="模板标识不能超过 60 个字符"),
        Regexp(r"^[a-z][a-z0-9_]*$", message="模板标识只能使用小写字母、数字和下划线，以字母开头")])
    name = StringField("模板名称", validators=[DataRequired("请填写模板名称"),
                                               _max(200, "模板名称")])
    kind = SelectField("评价类型", choices=[SelectChoice(k.value, k.label) for k in EvaluationKind])
    total_weight = DecimalField("总分值", places=None, validators=[
        InputRequired("请填写总分值"),
        NumberRange(min=1, max=1000, message="总分值应在 1 至 1000 之间")])
    grade_scheme_id = SelectField("评价等级方案", choices=[], validate_choice=False)
    position = IntegerField("排序", default=0, validators=[Optional()])
    active = BooleanField("启用（新建自评时可选）", default=True)
    # The tree editor posts rows (nodes-<i>-…); a framework may also be pasted in as JSON.
    tree = TextAreaField("指标体系（JSON，可选）", validators=[Optional()])
