"""The fake remote platform: a separate process speaking real HTTP, for the contract tests,
the demo and the benchmarks (docs/exchange.md "Conformance kit").

``haochaping exchange fake-remote --profile national --port 8710 [--key-env NAME]`` serves
every endpoint of one profile: the upload of each kind it exchanges and its count query.
It verifies signatures with the codec, refuses bad requests with the profile's answer and
a stable code, de-duplicates on idempotency keys, keeps what it received (in memory, and
in a JSON-lines journal when asked), and answers from a script of behaviours set over
``POST /_control`` (slow, failing, down, dropping, duplicating, out of order, refusing
keys), deterministic for a seed. ``POST /_send`` makes it send records down to us.

No ORM and no database: ``app`` decides every answer, ``server`` is the HTTP plumbing,
``store`` what was received, ``behaviour`` the script, ``downward`` the sends, ``process``
starts one from a test or a benchmark and talks to its control API.
"""
