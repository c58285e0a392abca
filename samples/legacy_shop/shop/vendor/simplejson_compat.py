"""simplejson_compat 0.3.1 -- tiny shim: use simplejson when installed, else the stdlib json.

Vendored from an internal gist in 2016 because pip on the old build box could not
reach PyPI. MIT licensed.
"""
from decimal import Decimal

try:  # pragma: no cover
    import simplejson as _json

    HAVE_SIMPLEJSON = True
except ImportError:  # pragma: no cover
    import json as _json

    HAVE_SIMPLEJSON = False

__all__ = ["dumps", "loads", "JSONDecodeError", "HAVE_SIMPLEJSON"]

JSONDecodeError = getattr(_json, "JSONDecodeError", ValueError)


class _DecimalEncoder(_json.JSONEncoder):
    def default(self, o):
        if isinstance(o, Decimal):
            return str(o)
        return super(_DecimalEncoder, self).default(o)


def dumps(obj, **kwargs):
    if HAVE_SIMPLEJSON:
        kwargs.setdefault("use_decimal", True)
        return _json.dumps(obj, **kwargs)
    if "default" not in kwargs:
        kwargs.setdefault("cls", _DecimalEncoder)
    return _json.dumps(obj, **kwargs)


def loads(text, **kwargs):
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if HAVE_SIMPLEJSON:
        kwargs.setdefault("use_decimal", True)
    else:
        kwargs.setdefault("parse_float", Decimal)
    return _json.loads(text, **kwargs)
