-- A mix of the service's read endpoints for wrk: each request takes the next path of the list,
-- so every connection cycles through hot-loop lookups, pages, searches, comparisons and exports.
-- At the end it prints latency percentiles and fails the run (exit status 1 via the summary
-- line the load script checks) when any answer was not 2xx/3xx or any socket failed.
local paths = {
  "/v1/wages/mx",
  "/v1/wages/us/series/us.minimum_wage.federal?from=1981",
  "/v1/wages/compare?countries=mx,us,ca&measure=average_wage",
  "/v1/wages/compare?countries=mx,us,ca&measure=minimum_wage&currency=usd",
  "/v1/countries/MEX",
  "/v1/countries",
  "/v1/datasets",
  "/v1/fx?base=usd&quote=mxn&frequency=a",
  "/v1/trade/flows?reporter=us&partner=mx&flow=import&limit=500",
  "/v1/trade/flows?reporter=ca&flow=export&format=csv",
  "/v1/trade/balance?country=us&partner=mx",
  "/v1/trade/partners?country=mx&year=2016&flow=import",
  "/v1/trade/mirror?reporter=us&partner=mx&flow=import",
  "/v1/provisions/search?q=minimum+wage&limit=20",
  "/v1/provisions/search?q=forced+labour",
  "/v1/provisions/compare?topic=labour&treaties=nafta,naalc,tpp,usmca",
  "/v1/treaties/tpp/provisions/19.3",
  "/v1/treaties/nafta/chapters",
  "/healthz",
}

local counter = 0

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

done = function(summary, latency, requests)
  local errors = summary.errors
  local socket_errors = errors.connect + errors.read + errors.write + errors.timeout
  io.write(string.format("requests: %d in %.1f s (%.0f/s)\n", summary.requests,
    summary.duration / 1e6, summary.requests / (summary.duration / 1e6)))
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    io.write(string.format("latency p%s: %.2f ms\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("latency max: %.2f ms\n", latency.max / 1000))
  io.write(string.format("non-2xx/3xx: %d\nsocket errors: %d\n", errors.status, socket_errors))
end
