"""Read an HTML form the way a browser submits it: every named input, select and textarea with
its current value (checkboxes only when checked). Tests post a page's own form back."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._option: dict | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = {"attrs": a, "fields": []}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        fields = self._form["fields"]
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select is not None:
            self._option = a
            self._text = []
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):  # noqa: ANN001
        if self._textarea is not None or self._option is not None:
            self._text.append(data)

    def handle_endtag(self, tag):  # noqa: ANN001
        if self._form is None:
            return
        fields = self._form["fields"]
        if tag == "option" and self._option is not None:
            value = self._option.get("value", "".join(self._text).strip())
            if self._select_first is None:
                self._select_first = value
            if "selected" in self._option and not self._select_chosen:
                fields.append((self._select, value))
                self._select_chosen = True
            self._option = None
        elif tag == "select" and self._select is not None:
            if not self._select_chosen and self._select_first is not None:
                fields.append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # A browser drops the one newline that follows <textarea>.
            fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "form":
            self._form = None


def forms_of(html: str) -> list[dict]:
    """Every form of the page: {"attrs": {...}, "fields": [(name, value), ...]}."""
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def form_data(html: str, selector: str = "editor-form") -> list[tuple[str, str]]:
    """The fields of the first form whose class or id contains ``selector``."""
    for form in forms_of(html):
        attrs = form["attrs"]
        if selector in attrs.get("class", "").split() or attrs.get("id") == selector:
            return form["fields"]
    raise AssertionError(f"no form {selector!r} on the page")
