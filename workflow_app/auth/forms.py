"""Forms of the login and account pages."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional


class LoginForm(FlaskForm):
    """用户名与密码 (no "remember me": sessions end after the idle timeout)."""

    username = StringField(
        "用户名", validators=[DataRequired("请输入用户名"), Length(max=64, message="用户名过长")]
    )
    password = PasswordField("密码", validators=[DataRequired("请输入密码"),
                                                 Length(max=128, message="密码过长")])


class ChangePasswordForm(FlaskForm):
    """The user's own password change."""

    current = PasswordField("当前密码", validators=[DataRequired("请输入当前密码"),
                                                    Length(max=128, message="密码过长")])
    new = PasswordField("新密码", validators=[DataRequired("请输入新密码"),
                                              Length(max=128, message="密码不能超过 128 位")])
    confirm = PasswordField("再次输入新密码", validators=[
        DataRequired("请再次输入新密码"), EqualTo("new", message="两次输入的新密码不一致")])


class TokenForm(FlaskForm):
    """A new API token: what it is for and how long it lives."""

    label = StringField("用途", validators=[Length(max=64, message="用途说明不能超过 64 个字")])
    days = IntegerField("有效期（天）", validators=[
        Optional(), NumberRange(min=1, max=365, message="有效期应为 1 至 365 天")])
