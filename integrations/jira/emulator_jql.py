"""JQL for the emulator: a tokenizer and recursive-descent parser producing a small syntax tree.

Grammar (the subset the tracker needs, plus OR/NOT/parentheses because they cost nothing):

    query   := [expr] [ORDER BY field [ASC|DESC] {, field [ASC|DESC]}]
    expr    := and {OR and}
    and     := unary {AND unary}
    unary   := NOT unary | "(" expr ")" | clause
    clause  := field op value
    op      := = | != | > | >= | < | <= | ~ | !~ | IN | NOT IN | IS | IS NOT
    value   := string | word | word "(" [args] ")" | EMPTY | NULL | "(" value {, value} ")"

Evaluation against issues lives in `emulator_jql_eval`; this module only knows syntax and
produces Jira's own error texts ("Error in the JQL Query: ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


class JqlError(Exception):
    """Any JQL problem; Jira answers these with 400 and the message in `errorMessages`."""


@dataclass(frozen=True)
class Literal:
    text: str
    quoted: bool = False


@dataclass(frozen=True)
class FuncCall:
    name: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Empty:
    pass


Value = Literal | FuncCall | Empty


@dataclass(frozen=True)
class Clause:
    field: str
    op: str  # upper-cased: "=", "!=", ">", ">=", "<", "<=", "~", "!~", "IN", "NOT IN", "IS", "IS NOT"
    values: tuple[Value, ...]  # one value, except for IN / NOT IN


@dataclass(frozen=True)
class BoolOp:
    op: str  # "AND" | "OR"
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    part: Node


Node = Clause | BoolOp | Not


@dataclass(frozen=True)
class OrderBy:
    field: str
    descending: bool = False


@dataclass
class Query:
    where: Node | None
    order: list[OrderBy] = field(default_factory=list)


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<op>!=|!~|>=|<=|=|>|<|~)
      | (?P<punct>[(),])
      | (?P<word>[^\s"'(),=!<>~]+)
      | (?P<bad>\S)
    )""",
    re.X,
)
_OPERATORS = "'=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'"


@dataclass(frozen=True)
class _Token:
    kind: str  # "string" | "op" | "punct" | "word" | "end"
    text: str
    pos: int

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words


def tokenize(jql: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(jql):
        found = _TOKEN.match(jql, pos)
        if found is None or found.end() == pos:  # only trailing whitespace left
            break
        kind = found.lastgroup or "bad"
        text = found.group(kind)
        start = found.start(kind)
        if kind == "bad":
            if text in "\"'":
                raise JqlError(
                    _syntax(f"The quoted string starting at character {start + 1} is not terminated", start)
                )
            raise JqlError(_syntax(f"The character '{text}' is a reserved JQL character", start))
        if kind == "string":
            text = re.sub(r"\\(.)", r"\1", text[1:-1])
        tokens.append(_Token(kind, text, start))
        pos = found.end()
    tokens.append(_Token("end", "", len(jql)))
    return tokens


def _syntax(message: str, pos: int) -> str:
    return f"Error in the JQL Query: {message}. (line 1, character {pos + 1})"


class _Parser:
    def __init__(self, jql: str) -> None:
        self.tokens = tokenize(jql)
        self.index = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def fail(self, expected: str) -> JqlError:
        token = self.current
        got = "the end of the query" if token.kind == "end" else f"'{token.text}'"
        return JqlError(_syntax(f"Expecting {expected} but got {got}", token.pos))

    def expect_punct(self, text: str) -> None:
        if not (self.current.kind == "punct" and self.current.text == text):
            raise self.fail(f"'{text}'")
        self.advance()

    # -- grammar -----------------------------------------------------------------------------------
    def query(self) -> Query:
        where = None if self.current.is_word("ORDER") or self.current.kind == "end" else self.expr()
        order: list[OrderBy] = []
        if self.current.is_word("ORDER"):
            self.advance()
            if not self.current.is_word("BY"):
                raise self.fail("'by'")
            self.advance()
            order.append(self.order_item())
            while self.current.kind == "punct" and self.current.text == ",":
                self.advance()
                order.append(self.order_item())
        if self.current.kind != "end":
            raise self.fail("either 'OR' or 'AND'" if where else "a field name")
        return Query(where, order)

    def order_item(self) -> OrderBy:
        if self.current.kind not in ("word", "string"):
            raise self.fail("a field name")
        name = self.advance().text
        descending = False
        if self.current.is_word("ASC", "DESC"):
            descending = self.advance().text.upper() == "DESC"
        return OrderBy(name, descending)

    def expr(self) -> Node:
        parts = [self.and_expr()]
        while self.current.is_word("OR"):
            self.advance()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else BoolOp("OR", tuple(parts))

    def and_expr(self) -> Node:
        parts = [self.unary()]
        while self.current.is_word("AND"):
            self.advance()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else BoolOp("AND", tuple(parts))

    def unary(self) -> Node:
        if self.current.is_word("NOT"):
            self.advance()
            return Not(self.unary())
        if self.current.kind == "punct" and self.current.text == "(":
            self.advance()
            inner = self.expr()
            self.expect_punct(")")
            return inner
        return self.clause()

    def clause(self) -> Clause:
        if self.current.kind not in ("word", "string") or self.current.is_word("AND", "OR", "ORDER"):
            raise self.fail("a field name")
        name = self.advance().text
        op = self.operator()
        if op in ("IN", "NOT IN"):
            return Clause(name, op, self.value_list())
        if op in ("IS", "IS NOT"):
            if not self.current.is_word("EMPTY", "NULL"):
                raise self.fail("'EMPTY' or 'NULL'")
            self.advance()
            return Clause(name, op, (Empty(),))
        return Clause(name, op, (self.value(),))

    def operator(self) -> str:
        token = self.current
        if token.kind == "op":
            self.advance()
            return token.text
        if token.is_word("IN"):
            self.advance()
            return "IN"
        if token.is_word("IS"):
            self.advance()
            if self.current.is_word("NOT"):
                self.advance()
                return "IS NOT"
            return "IS"
        if token.is_word("NOT") and self.tokens[self.index + 1].is_word("IN"):
            self.index += 2
            return "NOT IN"
        raise self.fail(f"operator. The valid operators are {_OPERATORS}")

    def value_list(self) -> tuple[Value, ...]:
        self.expect_punct("(")
        values = [self.value()]
        while self.current.kind == "punct" and self.current.text == ",":
            self.advance()
            values.append(self.value())
        self.expect_punct(")")
        return tuple(values)

    def value(self) -> Value:
        token = self.current
        if token.kind == "string":
            self.advance()
            return Literal(token.text, quoted=True)
        if token.kind != "word" or token.is_word("AND", "OR", "ORDER", "NOT", "IN", "IS"):
            raise self.fail("either a value, list or function")
        self.advance()
        if token.is_word("EMPTY", "NULL"):
            return Empty()
        if self.current.kind == "punct" and self.current.text == "(":
            self.advance()
            args: list[str] = []
            while not (self.current.kind == "punct" and self.current.text == ")"):
                if self.current.kind not in ("word", "string"):
                    raise self.fail("')'")
                args.append(self.advance().text)
                if self.current.kind == "punct" and self.current.text == ",":
                    self.advance()
            self.advance()
            return FuncCall(token.text, tuple(args))
        return Literal(token.text)


def parse(jql: str) -> Query:
    """Parse JQL into a `Query`; raises `JqlError` with Jira's wording on bad syntax."""
    return _Parser(jql).query()
