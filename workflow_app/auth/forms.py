"""Login form."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    """用户名与密码."""

    username = StringField(
        "用户名", validators=[DataRequired("请输入用户名"), Length(max=64, message="用户名过长")]
    )
    password = PasswordField("密码", validators=[DataRequired("请输入密码")])
    remember = BooleanField("在本机保持登录")
