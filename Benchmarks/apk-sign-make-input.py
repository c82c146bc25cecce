#!/usr/bin/env python3
"""Writes a deterministic APK-like archive of about SIZE_MB megabytes for Benchmarks/apk-sign:
the manifest, resources and dex of the AOSP golden test app plus generated entries shaped like a
real large app (deflated dex/resources/assets, stored .so libraries and media), unsigned.
Used only when ArchiveKit's Benchmarks/make-apk-like-archive is not available."""
import random, sys, zipfile

def main():
    fixture, output, size_mb = sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 150
    rng = random.Random(20261203)
    words = [bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 10))) for _ in range(4000)]

    def text(n):
        out = bytearray()
        while len(out) < n:
            out += rng.choice(words) + b" "
        return bytes(out[:n])

    target = size_mb * 1024 * 1024
    written = 0
    with zipfile.ZipFile(fixture) as source, zipfile.ZipFile(output, "w") as z:
        for info in source.infolist():
            if info.filename.startswith("META-INF/"):
                continue
            z.writestr(info, source.read(info.filename), compress_type=info.compress_type)
        index = 0
        while written < target:
            kind = index % 10
            if kind == 0:   # native library: stored, incompressible-ish
                name, data, method = f"lib/arm64-v8a/libgen{index}.so", rng.randbytes(rng.randint(2, 6) << 20), zipfile.ZIP_STORED
            elif kind in (1, 2):  # media: stored
                name, data, method = f"res/raw/media{index}.bin", rng.randbytes(rng.randint(256, 1024) << 10), zipfile.ZIP_STORED
            elif kind == 3:  # dex: deflated, partly compressible
                name = f"classes{index}.dex"
                data, method = text(rng.randint(2, 4) << 20) + rng.randbytes(512 << 10), zipfile.ZIP_DEFLATED
            else:  # many small resources and assets: deflated text
                name, data, method = f"assets/data/file{index}.json", text(rng.randint(4, 200) << 10), zipfile.ZIP_DEFLATED
            info = zipfile.ZipInfo(name, date_time=(2026, 12, 3, 12, 0, 0))
            info.compress_type = method
            z.writestr(info, data, compresslevel=6)
            written += len(data) if method == zipfile.ZIP_STORED else len(data) // 3
            index += 1

if __name__ == "__main__":
    main()
