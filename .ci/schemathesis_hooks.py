"""Keeps schemathesis' generated requests to the rules between parameters that an OpenAPI schema
cannot state; each is in the description of the operations it applies to, and the service answers
a request that breaks one with a 400 naming the parameter."""

import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request

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


_COUNTRIES = {}


def _record(code):
    """The service's record of the country a code names (alpha-2, alpha-3 or numeric, any case),
    or None when none has it."""
    if not _COUNTRIES:
        url = os.environ["TRILATERAL_URL"] + "/v1/countries"
        with urllib.request.urlopen(url, timeout=30) as response:
            for country in json.load(response)["data"]:
                for alias in (country["code"], country["iso2"], country["iso3"]):
                    if alias:
                        _COUNTRIES[alias.upper()] = country
                if country["numeric"]:
                    _COUNTRIES[str(int(country["numeric"]))] = country
    code = str(code).strip().upper()
    return _COUNTRIES.get(str(int(code)) if code.isascii() and code.isdigit() else code)


def _country(code):
    """The country a code names, or the code itself when none has it."""
    record = _record(code)
    return record["code"] if record else str(code).strip().upper()


def _countries(codes):
    return {_country(code) for code in str(codes).split(",")}


def _currency(code):
    record = _record(code)
    return record["currency"]["code"] if record and record["currency"] else None


@schemathesis.hook
def filter_query(ctx, query):
    if not query or not isinstance(query, dict):
        return True
    # A repeated parameter (a list) or an object breaks the document's own shape, whatever the
    # rules between parameters; the service refuses it, and schemathesis expects that.
    if any(isinstance(value, (list, dict)) for value in query.values()):
        return True
    path = ctx.operation.path
    # `from` may not be after `to`.
    start, end = _days(query.get("from", "")), _days(query.get("to", ""))
    if start and end and start[0] > end[1]:
        return False
    if path == "/v1/fx":
        base, quote = query.get("base", "USD"), query.get("quote", "MXN")
        # An exchange rate needs two different currencies.
        if base == quote:
            return False
        # Banxico publishes the peso against the dollar only, and daily rates are its FIX alone.
        peso_dollar = {base, quote} == {"USD", "MXN"}
        if query.get("source") == "banxico" and not peso_dollar:
            return False
        if query.get("frequency") == "D" and (
            not peso_dollar or query.get("source", "banxico") != "banxico"
        ):
            return False
    # Annual inflation cannot be split into quarters or months: finer prices name a monthly measure.
    if path == "/v1/prices" and query.get("frequency") in ("Q", "M"):
        if query.get("measure") not in ("cpi", "cpi_change"):
            return False
    # A minimum wage is converted to another currency per month, quarter or year.
    if path == "/v1/wages/{country}/series/{series}" and query.get("frequency") in (None, "D"):
        if query.get("currency", "local") != "local":
            return False
    # The base of a comparison is one of the countries compared.
    if path == "/v1/wages/compare" and "base" in query and "countries" in query:
        if _country(query["base"]) not in _countries(query["countries"]):
            return False
    # The headline average and real minimum wages are constant-price USD PPP: compared in USD only.
    if path == "/v1/wages/compare" and query.get("measure") in ("average_wage", "real_minimum_wage"):
        if query.get("currency", "USD") != "USD":
            return False
    # Daily values are compared only where nothing is converted: rates are means per period.
    if path == "/v1/wages/compare" and query.get("frequency") == "D":
        currency = query.get("currency", "USD")
        if any(_currency(code) != currency for code in str(query.get("countries")).split(",")):
            return False
    # A balance or mirror is between two different countries.
    pair = {"/v1/trade/balance": ("country", "partner"), "/v1/trade/mirror": ("reporter", "partner")}
    first, second = pair.get(path, (None, None))
    if first in query and second in query:
        if _country(query[first]) == _country(query[second]):
            return False
    return True


@schemathesis.hook
def filter_body(ctx, body):
    # A posted query's members are the parameters of its GET, under the same rule: `from` may not
    # be after `to`.
    if ctx.operation.path != "/v1/trade/flows/query" or not isinstance(body, dict):
        return True
    start, end = _days(body.get("from", "")), _days(body.get("to", ""))
    return not (start and end and start[0] > end[1])


# How fine a series' values are (`frequency` in /v1/wages/{country}), and how fine each asked
# `frequency` is; values in force from a date can be given for any period.
_FINENESS = {"annual": 1, "quarterly": 2, "monthly": 3, "daily": 4, "event": 4}
_ASKED = {"A": 1, "Q": 2, "M": 3, "D": 4}
_SERIES = {}


def _series_of(country):
    """The wage series the service lists for a country (none for a code it does not know)."""
    code = _country(country)
    if code not in _SERIES:
        url = f"{os.environ['TRILATERAL_URL']}/v1/wages/{urllib.parse.quote(code)}"
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                _SERIES[code] = json.load(response)["data"]
        except urllib.error.HTTPError:
            _SERIES[code] = []
    return _SERIES[code]


@schemathesis.hook
def filter_case(ctx, case):
    # A series is never answered finer than it is published.
    query = case.query if isinstance(case.query, dict) else {}
    frequency = query.get("frequency")
    asked = _ASKED.get(frequency) if isinstance(frequency, str) else None
    if asked is None:
        return True
    path, params = case.operation.path, case.path_parameters or {}
    if path == "/v1/wages/{country}/series/{series}":
        answered = [s for s in _series_of(params.get("country")) if s["id"] == params.get("series")]
    elif path == "/v1/wages/compare" and isinstance(query.get("countries"), str):
        overrides = set(str(query.get("series", "")).split(","))
        answered = []
        for country in query["countries"].split(","):
            series = _series_of(country)
            chosen = [s for s in series if s["id"] in overrides]
            answered += chosen or [
                s for s in series if s["headline"] and s["measure"] == query.get("measure")
            ]
    else:
        return True
    return all(_FINENESS.get(s["frequency"], 0) >= asked for s in answered)
