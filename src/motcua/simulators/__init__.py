"""Local stand-ins for outside services (time-stamp authority, remote signing service, ...), each a small
HTTP service on the standard library's server speaking the real protocol, so that our adapters run unchanged
against them and against the real thing. No Django inside: a management command starts each one, and tests
run them in a thread on 127.0.0.1."""
