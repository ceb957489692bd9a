"""DynamoDB item sizes and capacity units, computed as DynamoDB documents
them (developer guide, "Item sizes and formats"; "Read/write capacity
mode"):

- an item's size is the sum of its attribute names' UTF-8 lengths and their
  values' sizes; a string is its UTF-8 length, a number about one byte per
  two significant digits plus one, null and boolean one byte, a list or map
  3 bytes plus its elements, each with one more byte;
- a write unit covers 1 KB of item (rounded up); a write in a transaction
  costs 2 per KB; an update is charged on the larger of the item before and
  after it;
- a strongly consistent read unit covers 4 KB (rounded up, at least 1).
"""
import math
import re

KB = 1024


def number_size(text):
    digits = re.sub(r"[^0-9]", "", text.split("e")[0].split("E")[0])
    significant = digits.strip("0") or "0"
    return math.ceil(len(significant) / 2) + 1


def value_size(value):
    (kind, inner), = value.items()
    if kind == "S":
        return len(inner.encode("utf-8"))
    if kind == "N":
        return number_size(inner)
    if kind == "B":
        return len(inner)
    if kind in ("NULL", "BOOL"):
        return 1
    if kind in ("SS",):
        return sum(len(s.encode("utf-8")) for s in inner)
    if kind == "NS":
        return sum(number_size(n) for n in inner)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(k.encode("utf-8")) + value_size(v) for k, v in inner.items())
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item):
    """The size of an item in DynamoDB's low-level JSON form."""
    return sum(len(name.encode("utf-8")) + value_size(v) for name, v in item.items())


def write_units(size, transactional=True):
    units = max(1, math.ceil(size / KB))
    return 2 * units if transactional else units


def read_units(size, consistent=True):
    units = max(1, math.ceil(size / (4 * KB)))
    return units if consistent else units / 2


def kind_of(pk, sk):
    """The item kinds of docs/storage.md."""
    if pk.startswith("IDEM#"):
        return "idempotency"
    if pk == "RECIPES":
        return "directory"
    if pk == "REJECTIONS":
        return "rejection"
    if sk == "META":
        return "meta"
    if sk.startswith("VERSION#"):
        return "version"
    if sk.startswith("MAKE#"):
        return "make"
    return "other"
