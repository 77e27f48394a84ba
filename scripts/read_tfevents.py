#!/usr/bin/env python3
"""Print the scalars of TensorBoard event files with the Python standard library only.

A check of the files `semaim pretrain/finetune/linprobe` write beside log.txt, independent of TensorBoard (which
cannot be installed everywhere) and of the Java code: it verifies the masked CRC-32C of every record's length and data
and decodes the Event/Summary protobufs from their documented schema.

    python3 scripts/read_tfevents.py runs/fmnist/events.out.tfevents.*        # one "step tag value" line per scalar

Exit status 1 names the file and byte offset of the first bad record. Not run by the test suite (which must not need
Python); the suite's own independent reader is semaim/src/test/java/dev/semaim/run/TfEventsReader.java.
"""
import struct
import sys


def _table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


_T = _table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _T[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked(crc):
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def fields(buf):
    """{field number: [values]}: varint -> int, 64-bit -> 8 bytes, length-delimited -> bytes, 32-bit -> 4 bytes."""
    out, i = {}, 0

    def varint():
        nonlocal i
        v, shift = 0, 0
        while True:
            b = buf[i]
            i += 1
            v |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return v

    while i < len(buf):
        key = varint()
        wire = key & 7
        if wire == 0:
            v = varint()
        elif wire == 1:
            v, i = buf[i:i + 8], i + 8
        elif wire == 2:
            n = varint()
            v, i = buf[i:i + n], i + n
        elif wire == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wire)
        out.setdefault(key >> 3, []).append(v)
    return out


def events(path):
    data = open(path, "rb").read()
    pos = 0
    while pos < len(data):
        if len(data) - pos < 12:
            raise ValueError("%s @%d: truncated record header" % (path, pos))
        (length,) = struct.unpack_from("<Q", data, pos)
        (length_crc,) = struct.unpack_from("<I", data, pos + 8)
        if length_crc != masked(crc32c(data[pos:pos + 8])):
            raise ValueError("%s @%d: length CRC mismatch" % (path, pos))
        if pos + 16 + length > len(data):
            raise ValueError("%s @%d: truncated record" % (path, pos))
        body = data[pos + 12:pos + 12 + length]
        (data_crc,) = struct.unpack_from("<I", data, pos + 12 + length)
        if data_crc != masked(crc32c(body)):
            raise ValueError("%s @%d: data CRC mismatch" % (path, pos))
        yield fields(body)
        pos += 16 + length


def main(paths):
    for path in paths:
        try:
            for e in events(path):
                step = e.get(2, [0])[0]
                if step >= 1 << 63:
                    step -= 1 << 64
                if 3 in e:
                    print("%s: %s" % (path, e[3][0].decode()))
                for summary in e.get(5, []):
                    for value in fields(summary).get(1, []):
                        v = fields(value)
                        (simple,) = struct.unpack("<f", v[2][0])
                        print("%d %s %.7g" % (step, v[1][0].decode(), simple))
        except (ValueError, IndexError, KeyError, struct.error) as err:
            print("read_tfevents: %s" % err, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print("usage: read_tfevents.py EVENT_FILE...", file=sys.stderr)
        sys.exit(2)
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:  # `| head`
        sys.exit(0)
