"""The public survey page as HTML: no sign-in, no JavaScript, nothing about the victim.

Rendered on the server from the message catalogue in the link's language (English or Welsh,
with a switch when the force gives both), so it works on any phone, in any browser, with
scripts off. Errors follow the GOV.UK pattern: a summary linking to each question, and the
message beside the question it names. Headers forbid scripts, framing, referrers (the token is
in the URL) and caching.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from html import escape

from server.aftercare.enums import Language
from server.aftercare.messages import SURVEY
from server.aftercare.surveys import QUESTIONS

_STYLE = (
    "body{font-family:system-ui,sans-serif;font-size:1.1875rem;line-height:1.5;margin:0;"
    "color:#0b0c0c;background:#fff}main{max-width:40rem;margin:0 auto;padding:1rem}"
    "fieldset{border:0;margin:0 0 1.5rem;padding:0}legend{font-weight:700;margin-bottom:.5rem}"
    ".choice{display:flex;align-items:center;margin:.25rem 0;min-height:2.75rem}"
    ".choice input{width:1.75rem;height:1.75rem;margin:0 .75rem 0 0}"
    "textarea{width:100%;font:inherit;border:2px solid #0b0c0c;box-sizing:border-box}"
    "button{font:inherit;font-weight:700;padding:.6rem 1.2rem;min-height:2.75rem;"
    "background:#00703c;color:#fff;border:0;box-shadow:0 2px 0 #002d18}"
    ":focus{outline:3px solid #fd0;outline-offset:0}"
    ".error-summary{border:4px solid #d4351c;padding:1rem;margin-bottom:1.5rem}"
    ".error{color:#d4351c;font-weight:700}a{color:#1d70b8}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()

HEADERS = {
    "Content-Security-Policy": (
        f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Cache-Control": "no-store",
    # The token is in the URL: it never goes to another site. Not "no-referrer": with it a
    # browser posts the form with "Origin: null", which the origin check rightly refuses.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
}


def _document(language: Language, title: str, body: str, switch: str) -> str:
    return (
        f'<!doctype html><html lang="{language.value}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{switch}{body}</main></body></html>"
    )


def _switch(language: Language, languages: Sequence[Language]) -> str:
    others = [other for other in languages if other is not language]
    if not others:
        return ""
    other = others[0]
    label = SURVEY[language]["switch_label"]
    return (
        f'<p><a href="?lang={other.value}" hreflang="{other.value}" lang="{other.value}">'
        f"{escape(label)}</a></p>"
    )


def message_page(
    language: Language, languages: Sequence[Language], topic: str, **values: object
) -> str:
    """A page with one message (thanks, answered, expired, not found, too many attempts)."""
    words = SURVEY[language]
    title = words[f"{topic}_title"]
    text = words[topic].format(**values) if values else words[topic]
    body = f"<h1>{escape(title)}</h1><p>{escape(text)}</p>"
    return _document(language, title, body, _switch(language, languages))


def form_page(
    language: Language,
    languages: Sequence[Language],
    values: Mapping[str, str] | None = None,
    problems: Sequence[tuple[str, str]] = (),
) -> str:
    """The five questions and a comment box, with any problems named question by question."""
    words = SURVEY[language]
    values = values or {}
    errors = dict(problems)
    parts = [f"<h1>{escape(words['title'])}</h1><p>{escape(words['intro'])}</p>"]
    if problems:
        links = "".join(
            f'<li><a href="#{_first_input(field)}">{escape(text)}</a></li>'
            for field, text in problems
        )
        parts.append(
            '<div class="error-summary" role="alert" aria-labelledby="error-summary-title">'
            f'<h2 id="error-summary-title">{escape(words["error_summary"])}</h2>'
            f"<ul>{links}</ul></div>"
        )
    parts.append(
        f'<form method="post" novalidate><input type="hidden" name="lang" value="{language.value}">'
    )
    for name in QUESTIONS:
        legend = words[f"q_{name}"] + ("" if name == "overall" else f" {words['optional']}")
        described = f' aria-describedby="{name}-error"' if name in errors else ""
        parts.append(f"<fieldset{described}><legend>{escape(legend)}</legend>")
        if name in errors:
            parts.append(f'<p class="error" id="{name}-error">{escape(errors[name])}</p>')
        for score in (5, 4, 3, 2, 1):
            checked = " checked" if values.get(name) == str(score) else ""
            parts.append(
                f'<div class="choice"><input type="radio" id="{name}-{score}" name="{name}" '
                f'value="{score}"{checked}><label for="{name}-{score}">'
                f"{escape(words[f'score_{score}'])}</label></div>"
            )
        parts.append("</fieldset>")
    described = ' aria-describedby="comment-error"' if "comment" in errors else ""
    parts.append(
        f'<p><label for="comment">{escape(words["q_comment"])} {escape(words["optional"])}'
        "</label></p>"
    )
    if "comment" in errors:
        parts.append(f'<p class="error" id="comment-error">{escape(errors["comment"])}</p>')
    parts.append(
        f'<textarea id="comment" name="comment" rows="4" maxlength="2000"{described}>'
        f"{escape(values.get('comment', ''))}</textarea>"
        f'<p><button type="submit">{escape(words["submit"])}</button></p></form>'
    )
    return _document(language, words["title"], "".join(parts), _switch(language, languages))


def _first_input(field: str) -> str:
    return "comment" if field == "comment" else f"{field}-5"
