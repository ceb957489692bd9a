"""moto's standalone server, serving one request at a time.

moto 5 runs each request on its own thread and does not isolate concurrent
TransactWriteItems: a losing transaction can leave writes behind or roll back
the winner's (reproduced with plain boto3). DynamoDB isolates transactions,
so the tests run moto with werkzeug's threaded=False to get the same
semantics. Usage: python moto_serial.py -H 127.0.0.1 -p PORT
"""
import sys

import moto.server as server

_run_simple = server.run_simple


def run_simple(*args, **kwargs):
    kwargs["threaded"] = False
    return _run_simple(*args, **kwargs)


server.run_simple = run_simple
sys.argv[0] = "moto_server"
server.main()
