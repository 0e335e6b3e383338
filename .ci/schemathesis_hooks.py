"""Keeps schemathesis' generated requests to the rules between parameters that an OpenAPI schema
cannot state; each is in the description of the operations it applies to, and the service answers
a request that breaks one with a 400 naming the parameter."""

import re

import schemathesis

PERIOD = re.compile(r"^(\d{4})(?:-([Qq]\d|\d{2})(?:-(\d{2}))?)?$")


def _days(period):
    """The first and last day of a period as (year, month, day) tuples, or None for a value the
    schema refuses. Every month is taken to have 31 days: only the order of days matters here."""
    match = PERIOD.match(str(period))
    if not match:
        return None
    year, part, day = match.groups()
    year = int(year)
    if part is None:
        return (year, 1, 1), (year, 12, 31)
    if part[0] in "Qq":
        quarter = int(part[1])
        return (year, 3 * quarter - 2, 1), (year, 3 * quarter, 31)
    month = int(part)
    if day is None:
        return (year, month, 1), (year, month, 31)
    return (year, month, int(day)), (year, month, int(day))


@schemathesis.hook
def filter_query(ctx, query):
    if not query:
        return True
    # A repeated parameter (a list) breaks the document's own shape, whatever the rules between
    # parameters; the service refuses it, and schemathesis expects that.
    if any(isinstance(value, list) for value in query.values()):
        return True
    # `from` may not be after `to`.
    start, end = _days(query.get("from", "")), _days(query.get("to", ""))
    if start and end and start[0] > end[1]:
        return False
    # An exchange rate needs two different currencies (the defaults are USD and MXN).
    if "base" in query or "quote" in query:
        if query.get("base", "USD") == query.get("quote", "MXN"):
            return False
    # Banxico publishes the peso against the dollar only, and daily rates are its FIX alone.
    pair = {query.get("base", "USD"), query.get("quote", "MXN")}
    if query.get("source") == "banxico" and pair != {"USD", "MXN"}:
        return False
    if query.get("frequency") == "D" and "base" in query or "quote" in query or "source" in query:
        if query.get("frequency") == "D" and (
            query.get("base", "USD") != "USD"
            or query.get("quote", "MXN") != "MXN"
            or query.get("source", "banxico") != "banxico"
        ):
            return False
    # A balance or mirror is between two different countries.
    for first, second in (("country", "partner"), ("reporter", "partner")):
        if first in query and second in query and not isinstance(query[first], list):
            if str(query[first]).upper() == str(query[second]).upper():
                return False
    return True


@schemathesis.hook
def filter_path_parameters(ctx, path_parameters):
    # An article given by its stable id names the treaty of the path.
    if not path_parameters:
        return True
    article = str(path_parameters.get("article", ""))
    if ":" in article:
        return article.split(":", 1)[0] == path_parameters.get("id")
    return True
