import Foundation
import Testing
import TestSupport
@testable import ApplePackage

@Suite("Code signatures against openssl, plistlib, hashlib and the fixture notes",
       .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
struct CodeSignatureTests {
    /// SOURCES.md describes each slice's signature as found by the fixture collector's own parser, e.g.
    /// `arm64 execute signed[CodeDirectory(v20400,sha1),Requirements,...,CMS(signed)]`.
    static func notedSignatures(_ relativePath: String) throws -> [String] {
        let sources = try String(contentsOf: Fixtures.url("SOURCES.md"), encoding: .utf8)
        let row = try #require(sources.split(separator: "\n").first { $0.hasPrefix("| `\(relativePath)`") })
        let pattern = try Regex(#"(?:execute|dylib|bundle) (?:signed\[([^\]]*)\]|unsigned)"#)
        return row.matches(of: pattern).map { match in
            match.output[1].substring.map(String.init) ?? "unsigned"
        }
    }

    static func describe(_ slice: MachOSlice) -> String {
        guard let signature = slice.codeSignature else { return "unsigned" }
        return signature.blobs.compactMap { blob -> String? in
            switch blob.slot {
            case 0, 0x1000...0x1004:
                let directory = signature.codeDirectories.first { $0.slot == blob.slot }!
                let hash = directory.hashAlgorithm == .sha256Truncated ? "sha256_trunc" : directory.hashAlgorithm.rawValue
                return "CodeDirectory(v\(String(directory.version, radix: 16)),\(hash)\(directory.isAdHoc ? ",adhoc" : ""))"
            case 2: return "Requirements"
            case 5: return "Entitlements"
            case 7: return "DEREntitlements"
            case 0x10000: return signature.cms != nil ? "CMS(signed)" : "CMS(empty)"
            default: return nil
            }
        }.joined(separator: ",")
    }

    static let machOFiles = Fixtures.files(under: "macho").map(Fixtures.relativePath)

    @Test("blob layout, CodeDirectory versions and hash types match the fixture notes", arguments: machOFiles)
    func blobLayout(path: String) throws {
        let file = try MachOFile(bytes: [UInt8](try Fixtures.data(path)))
        let noted = try Self.notedSignatures(path)
        #expect(file.slices.map(Self.describe) == noted)
    }

    @Test("every code page and special slot hashes to what the CodeDirectory says", arguments: machOFiles)
    func pageHashes(path: String) throws {
        let file = try MachOFile(bytes: [UInt8](try Fixtures.data(path)))
        for slice in file.slices {
            for directory in slice.codeSignature?.codeDirectories ?? [] {
                #expect(directory.mismatchedPages == [], "\(path) \(slice.cpu.name) \(directory.hashAlgorithm)")
                #expect(directory.mismatchedSpecialSlots == [], "\(path) \(slice.cpu.name) \(directory.hashAlgorithm)")
            }
        }
    }

    @Test("hashlib computes the same page hashes the parser read from the CodeDirectories")
    func hashlibAgrees() throws {
        var jobs: [[String: Any]] = []
        var expected: [String] = []
        for path in Self.machOFiles {
            let file = try MachOFile(bytes: [UInt8](try Fixtures.data(path)))
            for slice in file.slices {
                for directory in slice.codeSignature?.codeDirectories ?? [] {
                    jobs.append(["path": Fixtures.url(path).path, "start": slice.offset, "limit": Int(directory.codeLimit),
                                 "page": directory.pageSize, "hash": directory.hashAlgorithm == .sha1 ? "sha1" : directory.hashAlgorithm == .sha384 ? "sha384" : "sha256",
                                 "size": directory.hashSize])
                    expected.append((0..<directory.codeSlotCount).map { directory.codeSlotHash($0).hexString }.joined(separator: ","))
                }
            }
        }
        #expect(jobs.count >= 20)
        let script = """
        import hashlib, json, sys
        out = []
        for job in json.load(sys.stdin):
            data = open(job["path"], "rb").read()[job["start"]:job["start"] + job["limit"]]
            step = job["page"] or len(data)
            out.append(",".join(hashlib.new(job["hash"], data[i:i + step]).digest()[:job["size"]].hex() for i in range(0, len(data), step)))
        print(json.dumps(out))
        """
        let input = try JSONSerialization.data(withJSONObject: jobs)
        let result = try ProcessRunner.run("python3", ["-c", script], stdin: input)
        try #require(result.succeeded, "\(result.stderr)")
        let hashlib = try JSONDecoder().decode([String].self, from: result.stdoutData)
        #expect(hashlib == expected)
    }

    @Test("entitlements XML of every signed slice reads the same in plistlib")
    func entitlementsAgreeWithPlistlib() throws {
        var signatures: [(String, CodeSignature)] = []
        for path in Self.machOFiles {
            for slice in try MachOFile(bytes: [UInt8](try Fixtures.data(path))).slices {
                if let signature = slice.codeSignature, signature.entitlementsXML != nil { signatures.append(("\(path) \(slice.cpu.name)", signature)) }
            }
        }
        #expect(signatures.count == 7)
        let readings = try IndependentReaders.plistlib(signatures.map { Data($0.1.entitlementsXML!.utf8) })
        for ((name, signature), python) in zip(signatures, readings) {
            let expected = try #require(python, "plistlib refused the entitlements of \(name)")
            #expect(try IndependentReaders.viaJSON(signature.entitlements) == expected, "\(name)")
            if signature.derEntitlements != nil { #expect(signature.derEntitlementsMatchXML == true) }
        }
    }

    struct OpenSSLView: Decodable {
        let subjects: [String]
        let fingerprints: [String]
        let verified: Bool
        let error: String
    }

    /// For each CMS blob and the CodeDirectory it signs: `openssl pkcs7 -print_certs` (subjects, and the
    /// PEM whose DER hashlib fingerprints) and `openssl cms -verify -noverify -binary -content`, from one Python run.
    static func openssl(_ jobs: [(cms: [UInt8], directory: [UInt8])], in scratch: TemporaryDirectory) throws -> [OpenSSLView] {
        var paths: [[String]] = []
        for (index, job) in jobs.enumerated() {
            let cms = scratch.path("cms\(index).der"), directory = scratch.path("cd\(index).bin")
            try Data(job.cms).write(to: URL(fileURLWithPath: cms))
            try Data(job.directory).write(to: URL(fileURLWithPath: directory))
            paths.append([cms, directory])
        }
        let script = """
        import base64, hashlib, json, re, subprocess, sys
        out = []
        for cms, directory in json.load(sys.stdin):
            printed = subprocess.run(["openssl", "pkcs7", "-inform", "DER", "-in", cms, "-print_certs"], capture_output=True, text=True, check=True).stdout
            subjects = [line[8:] for line in printed.splitlines() if line.startswith("subject=")]
            blocks = re.findall(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", printed, re.S)
            fingerprints = [hashlib.sha256(base64.b64decode("".join(b.split()))).hexdigest() for b in blocks]
            verify = subprocess.run(["openssl", "cms", "-verify", "-noverify", "-binary", "-inform", "DER", "-in", cms,
                                     "-content", directory, "-out", "/dev/null"], capture_output=True, text=True)
            out.append({"subjects": subjects, "fingerprints": fingerprints, "verified": verify.returncode == 0, "error": verify.stderr})
        print(json.dumps(out))
        """
        let result = try ProcessRunner.run("python3", ["-c", script], stdin: try JSONEncoder().encode(paths))
        guard result.succeeded else { throw ReaderFailed(tool: "openssl via python", output: result.combined) }
        return try JSONDecoder().decode([OpenSSLView].self, from: result.stdoutData)
    }

    @Test("every CMS blob's certificates, fingerprints, signer and verdict match openssl")
    func cmsAgreesWithOpenSSL() throws {
        var slices: [(name: String, path: String, signature: CodeSignature, cms: CMSEnvelope)] = []
        for path in Self.machOFiles {
            for slice in try MachOFile(bytes: [UInt8](try Fixtures.data(path))).slices {
                if let signature = slice.codeSignature, let cms = signature.cms {
                    slices.append(("\(path) \(slice.cpu.name)", path, signature, cms))
                }
            }
        }
        #expect(slices.count == 14)
        let scratch = try TemporaryDirectory()
        let views = try Self.openssl(slices.map { (Array($0.signature.blobBytes(slot: 0x10000)!.dropFirst(8)), Array($0.signature.blobBytes(slot: 0)!)) },
                                     in: scratch)
        for (slice, openssl) in zip(slices, views) {
            let (name, path, signature, cms) = slice
            #expect(cms.certificates.map(\.subject) == openssl.subjects, "\(name)")
            #expect(cms.certificates.map(\.sha256) == openssl.fingerprints, "\(name)")
            #expect(signature.cmsVerification?.verified == openssl.verified, "\(name): openssl says \(openssl.error)")
            // r2-libswiftCoreFoundation's RSA signature is bad (openssl agrees); every other fixture's verifies.
            #expect(signature.cmsVerification?.verified == (path != "macho/r2-libswiftCoreFoundation.dylib"), "\(name)")
            // The signed messageDigest is the hash of one of this signature's CodeDirectories.
            let signer = try #require(cms.signers.first)
            #expect(signer.subject != nil && openssl.subjects.contains(signer.subject!), "\(name)")
            let directoryHashes = signature.blobs.filter { $0.slot == 0 || (0x1000...0x1004).contains($0.slot) }.compactMap { blob in
                HashAlgorithm(rawValue: signer.digestAlgorithm).map { $0.digest(signature.bytes[blob.offset..<(blob.offset + blob.length)]).hexString }
            }
            // Old signatures (r2-fatmach0-3true, 2009) have no signed attributes; the signature covers the CodeDirectory itself.
            if let digest = signer.messageDigest {
                #expect(directoryHashes.contains(digest), "\(name) messageDigest")
            }
        }
    }
}
