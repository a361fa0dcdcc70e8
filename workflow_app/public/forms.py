"""Forms of the public portal."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class VerifyUploadForm(FlaskForm):
    """Upload a PDF to compare it with the published original (CSRF-protected)."""

    pdf = FileField("报告 PDF 文件", validators=[FileRequired("请选择要核验的 PDF 文件。")])
