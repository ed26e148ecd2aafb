"""The reference endpoint for bench_submit: the least Django Ninja can do for a rating.

It validates a rating-sized JSON body and inserts one row through the ORM, with nothing
else (no auth, no encryption, no idempotency). Our real endpoint is measured against it in
the same run, on the same machine and database.
"""
