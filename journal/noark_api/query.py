"""OData query options of the Noark 5 tjenestegrensesnitt: $filter, $orderby, $top, $skip.

Spec: tg kapitler/06-konsepter_og_prinsipper.rst, «Finne objekter (Read)» (OData v4.01 URL conventions):
eq/ne/gt/ge/lt/le, and/or, startswith(felt, 'tekst'), contains(felt, 'tekst') and the older
substringof('tekst', felt), year(felt), DateTime'2017-02-15', code lists as `saksstatus/kode eq 'B'`.
Every list declares the fields a client may filter and sort on (FieldSpec). Anything else is a
ValidationError (400 with the API's error shape): never a 500, never a silently ignored or coerced value.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework.exceptions import ValidationError

from journal.noark.codes import CODE_LISTS

MAX_TOP = 100
DEFAULT_TOP = 10
MAX_SKIP = 2**31 - 1  # beyond this an OFFSET overflows some databases; no list is that long
MAX_FILTER_LENGTH = 2000
MAX_DEPTH = 20


@dataclass(frozen=True)
class FieldSpec:
    """One filterable field: ORM path, value kind, and for screened text the lookup of its screening."""

    path: str
    kind: str  # "str", "int", "date", "datetime", "uuid", "code:<list name>"
    screening: str = ""  # e.g. "screening" -> readers without review rights match only unscreened rows


def bad(parameter: str, message: str) -> ValidationError:
    return ValidationError({parameter: [message]})


# -- tokens ------------------------------------------------------------------------------------------
TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>'(?:[^']|'')*')
    | (?P<typed>(?:DateTime|datetime|date)'[^']*')
    | (?P<datetime>\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?)
    | (?P<date>\d{4}-\d{2}-\d{2})
    | (?P<number>-?\d+)
    | (?P<punct>[(),])
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:/[A-Za-z_][A-Za-z0-9_]*)*)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def tokenize(expression: str) -> list[Token]:
    tokens, pos = [], 0
    expression = expression.rstrip()
    while pos < len(expression):
        match = TOKEN.match(expression, pos)
        if match is None or match.end() == pos:
            raise bad("$filter", f"unexpected text at position {pos}: {expression[pos : pos + 20]!r}")
        kind = match.lastgroup
        tokens.append(Token(kind, match.group(kind)))
        pos = match.end()
    return tokens


COMPARISONS = {"eq": "exact", "ne": "exact", "gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}
TEXT_FUNCTIONS = {
    "contains": "contains",
    "substringof": "contains",
    "startswith": "startswith",
    "endswith": "endswith",
}


class FilterParser:
    """Recursive descent over the tokens; builds a Q from the declared fields only."""

    def __init__(self, fields: dict[str, FieldSpec], *, full: bool) -> None:
        self.fields = fields
        self.full = full
        self.tokens: list[Token] = []
        self.pos = 0
        self.depth = 0

    def parse(self, expression: str) -> Q:
        if len(expression) > MAX_FILTER_LENGTH:
            raise bad("$filter", f"longer than {MAX_FILTER_LENGTH} characters")
        self.tokens, self.pos = tokenize(expression), 0
        if not self.tokens:
            raise bad("$filter", "empty expression")
        q = self._or()
        if self.pos != len(self.tokens):
            raise bad("$filter", f"unexpected {self.tokens[self.pos].text!r}")
        return q

    # grammar ------------------------------------------------------------------------------------
    def _peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _take(self) -> Token:
        token = self._peek()
        if token is None:
            raise bad("$filter", "the expression ends too early")
        self.pos += 1
        return token

    def _expect(self, text: str) -> None:
        token = self._take()
        if token.text != text:
            raise bad("$filter", f"expected {text!r}, found {token.text!r}")

    def _keyword(self, word: str) -> bool:
        token = self._peek()
        if token is not None and token.kind == "name" and token.text == word:
            self.pos += 1
            return True
        return False

    def _or(self) -> Q:
        q = self._and()
        while self._keyword("or"):
            q = q | self._and()
        return q

    def _and(self) -> Q:
        q = self._unary()
        while self._keyword("and"):
            q = q & self._unary()
        return q

    def _unary(self) -> Q:
        if self._keyword("not"):
            return ~self._unary()
        return self._primary()

    def _primary(self) -> Q:
        token = self._take()
        if token.text == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise bad("$filter", "nested too deeply")
            q = self._or()
            self._expect(")")
            self.depth -= 1
            return q
        if token.kind != "name":
            raise bad("$filter", f"expected a field or function, found {token.text!r}")
        nxt = self._peek()
        if nxt is not None and nxt.text == "(":
            return self._function(token.text)
        return self._comparison(self._field(token.text), lookup_suffix="")

    def _function(self, name: str) -> Q:
        self._expect("(")
        if name == "year":
            spec = self._field(self._take().text)
            self._expect(")")
            if spec.kind not in ("date", "datetime"):
                raise bad("$filter", "year() takes a date field")
            return self._comparison(FieldSpec(f"{spec.path}__year", "int", spec.screening), lookup_suffix="")
        if name not in TEXT_FUNCTIONS:
            raise bad("$filter", f"unsupported function {name}()")
        first, _, second = self._take(), self._expect(","), self._take()
        self._expect(")")
        # contains(felt, 'tekst') as OData 4.01; substringof('tekst', felt) and the spec's
        # contains('tekst', felt) with the arguments the other way round.
        field_token, text_token = (first, second) if first.kind == "name" else (second, first)
        if field_token.kind != "name" or text_token.kind != "string":
            raise bad("$filter", f"{name}() takes a field and a quoted text")
        spec = self._field(field_token.text)
        if spec.kind != "str":
            raise bad("$filter", f"{name}() takes a text field, not {field_token.text}")
        q = self._screened(spec, Q(**{f"{spec.path}__{TEXT_FUNCTIONS[name]}": _string(text_token)}))
        if self._keyword("eq"):  # "contains(...) eq true" as in the spec's example
            value = self._take()
            if value.text not in ("true", "false"):
                raise bad("$filter", "a function compares only with true or false")
            return q if value.text == "true" else ~q
        return q

    def _field(self, name: str) -> FieldSpec:
        spec = self.fields.get(name)
        if spec is None:
            raise bad("$filter", f"unknown field {name!r}; fields: {', '.join(sorted(self.fields))}")
        return spec

    def _comparison(self, spec: FieldSpec, *, lookup_suffix: str) -> Q:
        operator = self._take()
        if operator.text not in COMPARISONS:
            raise bad("$filter", f"expected eq, ne, gt, ge, lt or le, found {operator.text!r}")
        value, path = _value(spec, self._take())
        q = Q(**{f"{path}{lookup_suffix}__{COMPARISONS[operator.text]}": value})
        if operator.text == "ne":
            q = ~q
        return self._screened(spec, q)

    def _screened(self, spec: FieldSpec, q: Q) -> Q:
        # A screened title must not be searchable by readers who see it masked: they match only
        # rows without a screening (the masked text is all they may know).
        if spec.screening and not self.full:
            return q & Q(**{f"{spec.screening}__isnull": True})
        return q


def _string(token: Token) -> str:
    return token.text[1:-1].replace("''", "'")


def _value(spec: FieldSpec, token: Token) -> tuple[object, str]:
    kind = spec.kind
    if kind == "int":
        text = _string(token) if token.kind == "string" else token.text
        if token.kind not in ("number", "string") or not re.fullmatch(r"-?\d{1,18}", text):
            raise bad("$filter", f"an integer is expected, not {token.text!r}")
        return int(text), spec.path
    if kind == "str":
        if token.kind != "string":
            raise bad("$filter", f"a quoted text is expected, not {token.text!r}")
        return _string(token), spec.path
    if kind == "uuid":
        try:
            return uuid.UUID(_string(token) if token.kind == "string" else ""), spec.path
        except ValueError as exc:
            raise bad("$filter", f"a quoted systemID is expected, not {token.text!r}") from exc
    if kind in ("date", "datetime"):
        return _moment(spec, token)
    if kind.startswith("code:"):
        return _code_value(spec, token)
    raise bad("$filter", f"field kind {kind} cannot be compared")


def _moment(spec: FieldSpec, token: Token) -> tuple[object, str]:
    text = token.text
    if token.kind == "typed":
        text = text[text.index("'") + 1 : -1]
    elif token.kind == "string":
        text = _string(token)
    elif token.kind not in ("date", "datetime"):
        raise bad("$filter", f"a date is expected, not {token.text!r}")
    try:
        moment = parse_datetime(text) if "T" in text else parse_date(text)
    except ValueError:
        moment = None
    if moment is None:
        raise bad("$filter", f"not a valid date: {text!r}")
    if isinstance(moment, datetime):
        if spec.kind == "date":
            raise bad("$filter", f"{text!r}: this field is a date without time")
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)  # Europe/Oslo, the archive's time
        return moment, spec.path
    assert isinstance(moment, date)
    # A date against a timestamp compares the local (Oslo) calendar day.
    return moment, f"{spec.path}__date" if spec.kind == "datetime" else spec.path


def _code_value(spec: FieldSpec, token: Token) -> tuple[object, str]:
    list_name = spec.kind.removeprefix("code:")
    if token.kind != "string":
        raise bad("$filter", f"a quoted code is expected, not {token.text!r}")
    value = _string(token)
    table = CODE_LISTS[list_name]
    if spec.path.endswith("__kode"):
        names = [name for name, code in table.items() if code == value]
        if not names:
            raise bad("$filter", f"{value!r} is not a code in {list_name}")
        return names[0], spec.path.removesuffix("__kode")
    return value, spec.path.removesuffix("__kodenavn")


def matches(q: Q, row: dict) -> bool:
    """Evaluate a Q built by FilterParser on a plain dict (the code lists live in memory, not in a table)."""
    results = []
    for child in q.children:
        if isinstance(child, Q):
            results.append(matches(child, row))
            continue
        lookup, expected = child
        field, _, op = lookup.rpartition("__")
        actual = row.get(field, "")
        results.append(
            {
                "exact": actual == expected,
                "contains": str(expected) in actual,
                "startswith": actual.startswith(str(expected)),
                "endswith": actual.endswith(str(expected)),
                "gt": actual > expected,
                "gte": actual >= expected,
                "lt": actual < expected,
                "lte": actual <= expected,
            }[op]
        )
    result = all(results) if q.connector == Q.AND else any(results)
    return not result if q.negated else result


def with_code_fields(fields: dict[str, FieldSpec], **lists: tuple[str, str]) -> dict[str, FieldSpec]:
    """Add `<field>/kode` and `<field>/kodenavn` for code-list fields: name -> (ORM path, list name)."""
    out = dict(fields)
    for name, (path, list_name) in lists.items():
        out[f"{name}/kode"] = FieldSpec(f"{path}__kode", f"code:{list_name}")
        out[f"{name}/kodenavn"] = FieldSpec(f"{path}__kodenavn", f"code:{list_name}")
    return out


def ordering(expression: str, fields: dict[str, FieldSpec], *, full: bool) -> list[str]:
    """$orderby=saksdato desc,tittel -> ORM ordering; the caller appends a unique tiebreaker."""
    out = []
    for part in expression.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1] not in ("asc", "desc")):
            raise bad("$orderby", f"expected 'field [asc|desc]', found {part.strip()!r}")
        spec = fields.get(words[0])
        if spec is None:
            raise bad("$orderby", f"unknown field {words[0]!r}; fields: {', '.join(sorted(fields))}")
        if spec.screening and not full:
            raise bad("$orderby", f"{words[0]} cannot be sorted on by readers who see it masked")
        path = spec.path.removesuffix("__kode").removesuffix("__kodenavn")
        out.append(f"-{path}" if len(words) == 2 and words[1] == "desc" else path)
    return out


def paging(params) -> tuple[int, int]:
    """$top (1..MAX_TOP; the server's page size caps it and the answer links the next page) and $skip."""
    top = _integer(params, "$top", DEFAULT_TOP, minimum=0)
    skip = _integer(params, "$skip", 0, minimum=0)
    if skip > MAX_SKIP:
        raise bad("$skip", f"at most {MAX_SKIP}")
    return min(top, MAX_TOP), skip


def _integer(params, name: str, default: int, *, minimum: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"\d{1,19}", raw.strip()):
        raise bad(name, f"a whole number of at least {minimum} is expected, not {raw!r}")
    return int(raw)
