"""The downward exchange (汇聚/转办, docs/exchange.md "Downward"): the inbound API that
remotes post their ratings and forwarded items to, the rejected-message log, parked
ratings and the office's screen of forwarded items."""
