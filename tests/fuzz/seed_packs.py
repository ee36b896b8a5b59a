#!/usr/bin/env python3
"""seed_packs.py OUT_DIR: the seeds of the corpus of fuzz_packs.c.

Small packs git writes (whole objects, OFS_DELTA and REF_DELTA chains, an
index with a 64-bit offset table) with their indexes, each as the harness
reads it (byte 0, the index's length in 4 little-endian bytes, the index,
the pack), and damaged copies of each: a byte flipped in the middle of
the pack, the pack cut short (its checksum kept), the fan-out table out of order, the pack's
checksum in the index changed, an index of version 1. Then a few packs
made by hand for the harness's other form (objects it compresses and
indexes itself): a blob, a tree, an OFS_DELTA and a REF_DELTA on the
blob, and a chain of three deltas. Needs git.
"""

import os
import struct
import subprocess
import sys
import tempfile


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], check=True,
                          capture_output=True).stdout


def history(repo):
    env = dict(os.environ, GIT_AUTHOR_DATE="2026-01-01T00:00:00Z",
               GIT_COMMITTER_DATE="2026-01-01T00:00:00Z",
               GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null")
    os.environ.update(env)
    git(repo, "init", "-q")
    git(repo, "config", "user.name", "seed")
    git(repo, "config", "user.email", "seed@example.org")
    for c in range(4):
        for f in range(3):
            os.makedirs(os.path.join(repo, "d%d" % f), exist_ok=True)
            with open(os.path.join(repo, "d%d/f.txt" % f), "w") as out:
                out.writelines("file %d line %d%s\n" %
                               (f, i, " *" if i <= c else "")
                               for i in range(30))
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "c%d" % c)


def packed(repo, *repack):
    git(repo, *repack)
    pack_dir = os.path.join(repo, ".git/objects/pack")
    name = [n for n in os.listdir(pack_dir) if n.endswith(".idx")][0][:-4]
    with open(os.path.join(pack_dir, name + ".idx"), "rb") as f:
        idx = f.read()
    with open(os.path.join(pack_dir, name + ".pack"), "rb") as f:
        pack = f.read()
    return pack_dir, name, idx, pack


def raw(idx, pack):
    return b"\0" + struct.pack("<I", len(idx)) + idx + pack


def flip(b, at):
    return b[:at] + bytes([b[at] ^ 0xff]) + b[at + 1:]


def made(objs):
    """The harness's odd form: each object its kind, its base (deltas),
    its data's length and its data, which the harness compresses."""
    out = b"\1"
    for kind, base, data in objs:
        out += bytes([kind]) + (bytes([base]) if kind & 7 >= 6 else b"")
        out += struct.pack("<H", len(data)) + data
    return out


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    seeds = {}
    with tempfile.TemporaryDirectory() as repo:
        history(repo)
        forms = {
            "ofs": ["repack", "-q", "-a", "-d", "-f"],
            "ref": ["-c", "repack.useDeltaBaseOffset=false", "repack",
                    "-q", "-a", "-d", "-f"],
            "whole": ["repack", "-q", "-a", "-d", "-f", "--window=0"],
        }
        for form, repack in forms.items():
            pack_dir, name, idx, pack = packed(repo, *repack)
            seeds[form] = raw(idx, pack)
            seeds[form + "-flipped"] = raw(idx, flip(pack, len(pack) // 2))
            seeds[form + "-cut"] = raw(idx, pack[:len(pack) * 2 // 3] +
                                       pack[-20:])
            seeds[form + "-fanout"] = raw(flip(idx, 8 + 4 * 100 + 3), pack)
            seeds[form + "-checksum"] = raw(flip(idx, len(idx) - 30), pack)
        os.remove(os.path.join(pack_dir, name + ".idx"))
        subprocess.run(["git", "index-pack", "--index-version=2,0",
                        name + ".pack"], cwd=pack_dir, check=True,
                       capture_output=True)
        with open(os.path.join(pack_dir, name + ".idx"), "rb") as f:
            seeds["large-offsets"] = raw(f.read(), pack)
        os.remove(os.path.join(pack_dir, name + ".idx"))
        subprocess.run(["git", "index-pack", "--index-version=1",
                        name + ".pack"], cwd=pack_dir, check=True,
                       capture_output=True)
        with open(os.path.join(pack_dir, name + ".idx"), "rb") as f:
            seeds["index-v1"] = raw(f.read(), pack)
    blob = (3, 0, b"hello world\n")
    delta = (b"\x0c\x0c"          # base and result sizes: 12, 12
             b"\x91\x06\x05"      # copy 5 bytes from offset 6
             b"\x07 there\n")     # insert 7 bytes
    tree = b"100644 a\0" + bytes(range(20)) + b"40000 d\0" + bytes(20)
    seeds["made-blob"] = made([blob])
    seeds["made-tree"] = made([(2, 0, tree)])
    seeds["made-ofs"] = made([blob, (6, 1, delta)])
    seeds["made-ref"] = made([blob, (7, 0, delta)])
    seeds["made-chain"] = made([blob, (6, 1, delta), (6, 1, delta),
                                (7, 2, delta)])
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
