#!/usr/bin/env python3
"""Turns ArchiveKit's Benchmarks/make-apk-like-archive output into an APK both signers accept:
its AndroidManifest.xml and META-INF files are generated text, so the manifest is replaced by
the AOSP golden test app's binary manifest (minSdk 23, so v1+v2+v3 are all signed) and the
META-INF entries are left out. Every other entry keeps its name, method and bytes.

usage: apk-sign-prepare-input.py SOURCE.apk GOLDEN.apk OUTPUT.apk
"""
import sys, zipfile

def main():
    source, golden, output = sys.argv[1:4]
    with zipfile.ZipFile(golden) as g:
        manifest = g.read("AndroidManifest.xml")
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(output, "w") as out:
        for info in src.infolist():
            if info.filename.startswith("META-INF/"):
                continue
            data = manifest if info.filename == "AndroidManifest.xml" else src.read(info.filename)
            out.writestr(info, data, compress_type=info.compress_type, compresslevel=6)

if __name__ == "__main__":
    main()
