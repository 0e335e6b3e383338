"""Reads a running service with the Python client generated from openapi/openapi.json.

Usage: client_check.py BASE_URL

Each answer must parse into the typed models the document names (the domain types such as
`SeriesSummary`, not untyped dictionaries or types named after the envelope), and an error
into the `Problem` model. Run by .ci/client-check, which generates and installs the client.
"""

import sys

from trilateral_client import Client
from trilateral_client.api.countries import get_country
from trilateral_client.api.trade import get_trade_balance
from trilateral_client.api.wages import list_wage_series
from trilateral_client.models import (
    BalancePeriod,
    EnvelopeVecBalancePeriod,
    EnvelopeVecSeriesSummary,
    Problem,
    Reported,
    SeriesSummary,
)


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_wages(client):
    response = list_wage_series.sync_detailed("mx", client=client)
    assert response.status_code == 200, f"GET /v1/wages/mx: {response.status_code}"
    envelope = response.parsed
    assert isinstance(envelope, EnvelopeVecSeriesSummary), type(envelope).__name__
    assert envelope.data, "GET /v1/wages/mx: no series"
    for series in envelope.data:
        assert isinstance(series, SeriesSummary), type(series).__name__
    print(f"GET /v1/wages/mx: {len(envelope.data)} SeriesSummary, first {envelope.data[0].id}")


def check_trade_balance(client):
    response = get_trade_balance.sync_detailed(
        client=client, country="us", partner="mx", from_="2019", to="2019"
    )
    assert response.status_code == 200, f"GET /v1/trade/balance: {response.status_code}"
    envelope = response.parsed
    assert isinstance(envelope, EnvelopeVecBalancePeriod), type(envelope).__name__
    assert len(envelope.data) == 1, f"{len(envelope.data)} periods for 2019"
    period = envelope.data[0]
    assert isinstance(period, BalancePeriod), type(period).__name__
    assert period.period == "2019", period.period
    for side in (period.exports, period.imports):
        assert isinstance(side, Reported), type(side).__name__
        assert is_number(side.value_usd), side.value_usd
    print(
        f"GET /v1/trade/balance us-mx 2019: 1 BalancePeriod, exports "
        f"{period.exports.value_usd:.0f} USD, imports {period.imports.value_usd:.0f} USD"
    )


def check_unknown_country(client):
    response = get_country.sync_detailed("XX", client=client)
    assert response.status_code == 404, f"GET /v1/countries/XX: {response.status_code}"
    problem = response.parsed
    assert isinstance(problem, Problem), type(problem).__name__
    assert problem.status == 404, problem.status
    assert problem.type_ == "/problems/unknown-country", problem.type_
    print(f"GET /v1/countries/XX: 404 as Problem, type {problem.type_}")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    client = Client(base_url=sys.argv[1], raise_on_unexpected_status=True)
    with client:
        check_wages(client)
        check_trade_balance(client)
        check_unknown_country(client)


if __name__ == "__main__":
    main()
