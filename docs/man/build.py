#!/usr/bin/env python3
"""Builds one manual page: expands "%include FILE" lines of an scdoc source
(the shared sections: _selection.scd, _global.scd, _exit.scd) and pipes the
result through scdoc. Usage: build.py SCDOC INPUT.scd OUTPUT."""
import os
import subprocess
import sys


def expand(path):
    out = []
    for line in open(path, encoding="utf-8"):
        if line.startswith("%include "):
            name = line.split(None, 1)[1].strip()
            out.append(expand(os.path.join(os.path.dirname(path), name)))
        else:
            out.append(line)
    return "".join(out)


scdoc, source, target = sys.argv[1:4]
page = subprocess.run([scdoc], input=expand(source).encode(),
                      stdout=subprocess.PIPE, check=True).stdout
with open(target, "wb") as f:
    f.write(page)
