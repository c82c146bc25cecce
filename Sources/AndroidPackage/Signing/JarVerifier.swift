import ArchiveKit
import CryptoCore
import Foundation

/// Verifies a v1 (JAR) signature as apksigner does: each META-INF/<NAME>.{RSA,DSA,EC} with its
/// .SF, the .SF against MANIFEST.MF, MANIFEST.MF against every entry's uncompressed bytes,
/// and X-Android-APK-Signed against the newer schemes that verified.
struct JarVerifier {
    let archive: ZipArchive
    let minSdk: Int
    let verifiedNewerSchemes: [Int]
    let parallelism: Int
    static let maximumSignatureFileSize = 16 * 1024 * 1024
    static let blockExtensions = ["RSA", "DSA", "EC"]

    func verify(into result: inout SchemeVerification) {
        result.checked = true
        guard let manifestEntry = archive.entry(named: ApkSigner.manifestEntryName) else {
            result.errors.append("missing META-INF/MANIFEST.MF")
            return
        }
        let manifest: JarManifestDocument
        do {
            manifest = try JarManifestDocument(parsing: try readSmall(manifestEntry), entryName: manifestEntry.name)
        } catch {
            result.errors.append("\(error)")
            return
        }
        var signers: [(block: ZipEntry, signatureFile: ZipEntry)] = []
        for entry in archive.entries where entry.name.hasPrefix("META-INF/") {
            let fileName = entry.name.dropFirst("META-INF/".count)
            guard !fileName.contains("/"), let dot = fileName.lastIndex(of: ".") else { continue }
            let base = fileName[..<dot]
            guard Self.blockExtensions.contains(fileName[fileName.index(after: dot)...].uppercased()) else { continue }
            if let signatureFile = archive.entry(named: "META-INF/\(base).SF") {
                signers.append((entry, signatureFile))
            }
        }
        guard !signers.isEmpty else {
            result.errors.append("no JAR signatures")
            return
        }
        signers.sort { $0.block.name < $1.block.name }

        var signedBySigner: [Set<String>] = []
        var digestNames: Set<String> = []
        for signer in signers {
            let label = "JAR signer \(signer.block.name.dropFirst("META-INF/".count))"
            do {
                let signatureFileBytes = try readSmall(signer.signatureFile)
                let block = try readSmall(signer.block)
                let (certificate, algorithms) = try Pkcs7SignatureCheck.verify(block: block, content: signatureFileBytes,
                                                                               blockName: signer.block.name, minSdk: minSdk)
                // SHA-1 and MD5 (with the rsaEncryption OID) are the only ones Android checks before 4.3.
                if minSdk < 18, algorithms.contains(where: { !$0.hasPrefix("SHA1") && !$0.hasPrefix("MD5") }) {
                    result.errors.append("\(label): \(algorithms.joined(separator: ", ")) signatures are not supported before Android 4.3 (API 18), and minSdk is \(minSdk)")
                }
                let signatureFile = try JarManifestDocument(parsing: signatureFileBytes, entryName: signer.signatureFile.name)
                try checkStripping(signatureFile, label: label, errors: &result.errors)
                let signed = try checkSignatureFile(signatureFile, against: manifest, label: label, errors: &result.errors,
                                                    digestNames: &digestNames)
                signedBySigner.append(signed)
                result.signers.append(ApkVerifier.describe(certificate: certificate, signatureAlgorithms: algorithms))
            } catch {
                result.errors.append("\(label): \(error)")
                signedBySigner.append([])
            }
        }
        checkEntries(manifest: manifest, signedBySigner: signedBySigner, errors: &result.errors, digestNames: &digestNames)
        result.digestsChecked = digestNames.sorted()
        result.verified = result.errors.isEmpty
    }

    private func readSmall(_ entry: ZipEntry) throws -> [UInt8] {
        guard entry.uncompressedSize <= UInt64(Self.maximumSignatureFileSize) else {
            throw ApkSigningError.entry(name: entry.name, reason: "\(entry.uncompressedSize) bytes is too large for a signature file")
        }
        return try EntryContent.readData(entry, in: archive, limit: Self.maximumSignatureFileSize)
    }

    /// `X-Android-APK-Signed: 2, 3` promises newer signatures; if one did not verify, it was stripped.
    private func checkStripping(_ signatureFile: JarManifestDocument, label: String, errors: inout [String]) throws {
        guard let value = signatureFile.mainAttributes["x-android-apk-signed"] else { return }
        for item in value.split(separator: ",") {
            guard let id = Int(item.trimmingCharacters(in: .whitespaces)), id == 2 || id == 3 else { continue }
            if !verifiedNewerSchemes.contains(id) {
                errors.append("\(label): the .SF says the APK is signed with APK Signature Scheme v\(id), but no such signature verified (stripped?)")
            }
        }
    }

    /// Checks the .SF's digests of the manifest; returns the entry names this signer covers.
    private func checkSignatureFile(_ signatureFile: JarManifestDocument, against manifest: JarManifestDocument, label: String,
                                    errors: inout [String], digestNames: inout Set<String>) throws -> Set<String> {
        let wholeDigests = JarDigestNames.digests(in: signatureFile.mainAttributes, suffix: "-digest-manifest")
        var wholeManifestMatches = !wholeDigests.isEmpty
        for (function, name, expected) in wholeDigests {
            if expected != Hashing.hash(manifest.bytes, function) { wholeManifestMatches = false } else { digestNames.insert(name) }
        }
        if minSdk < 18, !wholeDigests.isEmpty, !wholeDigests.contains(where: { $0.0 == .sha1 }) {
            errors.append("\(label): the .SF has no SHA-1 manifest digest, which Android before 4.3 (API 18) needs; minSdk is \(minSdk)")
        }
        let manifestSections = Dictionary(manifest.sections.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        if wholeManifestMatches {
            return Set(manifestSections.keys)
        }
        for (function, name, expected) in JarDigestNames.digests(in: signatureFile.mainAttributes, suffix: "-digest-manifest-main-attributes") {
            if expected != Hashing.hash(Array(manifest.mainBytes), function) {
                errors.append("\(label): \(name) of the manifest's main attributes does not match")
            }
        }
        var signed: Set<String> = []
        for section in signatureFile.sections {
            guard let manifestSection = manifestSections[section.name] else {
                errors.append("\(label): the .SF names \(section.name), which MANIFEST.MF does not list")
                continue
            }
            let digests = JarDigestNames.digests(in: section.attributes, suffix: "-digest")
            if digests.isEmpty { errors.append("\(label): no supported digest for \(section.name) in the .SF") }
            for (function, name, expected) in digests {
                if expected != Hashing.hash(Array(manifestSection.bytes), function) {
                    errors.append("\(label): \(name) of the MANIFEST.MF section for \(section.name) does not match the .SF")
                } else {
                    digestNames.insert(name)
                }
            }
            signed.insert(section.name)
        }
        return signed
    }

    /// Every entry needs a manifest digest that matches its uncompressed bytes and must be
    /// covered by every signer; every manifest section must name an entry that exists.
    private func checkEntries(manifest: JarManifestDocument, signedBySigner: [Set<String>], errors: inout [String],
                              digestNames: inout Set<String>) {
        let sections = Dictionary(manifest.sections.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let entries = archive.entries.filter { JarSignatureFiles.isDigestedEntry($0.name) }
        let names = Set(entries.map(\.name))
        for section in manifest.sections where !names.contains(section.name) && JarSignatureFiles.isDigestedEntry(section.name) {
            errors.append("\(section.name) entry referenced by META-INF/MANIFEST.MF not found in the APK")
        }
        var work: [(entry: ZipEntry, digests: [(HashFunction, String, [UInt8]?)])] = []
        for entry in entries {
            guard let section = sections[entry.name] else {
                errors.append("no digest for \(entry.name) in META-INF/MANIFEST.MF")
                continue
            }
            for (index, signed) in signedBySigner.enumerated() where !signed.contains(entry.name) {
                errors.append("\(entry.name) is not signed by JAR signer #\(index + 1)")
            }
            let digests = JarDigestNames.digests(in: section.attributes, suffix: "-digest")
            if digests.isEmpty {
                errors.append("no supported digest for \(entry.name) in META-INF/MANIFEST.MF")
                continue
            }
            if minSdk < 18, !digests.contains(where: { $0.0 == .sha1 }) {
                errors.append("\(entry.name) has no SHA-1 digest, which Android before 4.3 (API 18) needs; minSdk is \(minSdk)")
            }
            work.append((entry, digests))
        }
        let jobs = work
        // Largest first, so the workers finish together; problems are still reported in entry order.
        let sizes = jobs.map(\.entry.uncompressedSize)
        let order = sizes.indices.sorted { sizes[$0] > sizes[$1] }
        let problems = IndexedResults<[String]>(count: jobs.count)
        let queue = WorkQueueCounter(count: jobs.count)
        let archive = self.archive
        DispatchQueue.concurrentPerform(iterations: max(1, min(parallelism, jobs.count))) { _ in
            while let position = queue.take() {
                let index = order[position]
                let (entry, digests) = jobs[index]
                let hashers = digests.map { Hashing.hasher($0.0) }
                var found: [String] = []
                do {
                    try EntryContent.stream(entry, in: archive) { chunk in for hasher in hashers { hasher.update(chunk) } }
                    for (hasher, digest) in zip(hashers, digests) where hasher.finalize() != digest.2 {
                        found.append("\(digest.1) of \(entry.name) does not match the digest in META-INF/MANIFEST.MF")
                    }
                } catch {
                    found.append("cannot read \(entry.name): \(error)")
                }
                problems[index] = found
            }
        }
        for index in 0..<work.count { errors += problems[index] ?? [] }
        for (_, digests) in work { for digest in digests { digestNames.insert(digest.1) } }
    }
}

/// Checks the PKCS#7 SignedData of a v1 signature over the .SF bytes: finds the SignerInfo
/// whose certificate is in the block (by issuer and serial number), and checks its signature,
/// directly over the content or over the signed attributes carrying the content's digest.
enum Pkcs7SignatureCheck {
    static let digestOIDs: [String: SignerInfoDigest] = [
        "1.3.14.3.2.26": .hash(.sha1), "2.16.840.1.101.3.4.2.1": .hash(.sha256), "2.16.840.1.101.3.4.2.2": .hash(.sha384),
        "2.16.840.1.101.3.4.2.3": .hash(.sha512), "1.2.840.113549.2.5": .md5,
    ]
    static let messageDigestOID = "1.2.840.113549.1.9.4"
    static let rsaEncryptionOID = "1.2.840.113549.1.1.1"
    static let md5WithRSAEncryptionOID = "1.2.840.113549.1.1.4"

    /// The SignerInfo's digest algorithm. MD5 is accepted for verification only (old apps signed
    /// by JDK 1.5's jarsigner carry it); appseal never signs with it.
    enum SignerInfoDigest {
        case hash(HashFunction)
        case md5

        var name: String {
            switch self {
            case .hash(.sha1): "SHA1"
            case let .hash(function): function.rawValue.uppercased()
            case .md5: "MD5"
            }
        }

        var verificationDigest: VerificationDigestAlgorithm {
            switch self {
            case let .hash(function): .standard(function.digestAlgorithm)
            case .md5: .md5
            }
        }
    }

    /// Why Android cannot check an MD5 SignerInfo on some API level from `minSdk` on, or nil
    /// when it can. apksig's table (OidConstants): MD5 with the rsaEncryption OID works on every
    /// level, with md5WithRSAEncryption on API 0-8 and 21+, with anything else only on 21-23.
    static func md5Problem(signatureAlgorithmOID: String?, key: PublicKeyKind, minSdk: Int) -> String? {
        guard case .rsa = key else { return "MD5 with a \(key.family) key is not supported by Android" }
        switch signatureAlgorithmOID {
        case rsaEncryptionOID: return nil
        case md5WithRSAEncryptionOID where minSdk >= 21: return nil
        case md5WithRSAEncryptionOID: return "MD5withRSA under the md5WithRSAEncryption OID is not supported on API 9-20, and minSdk is \(minSdk)"
        default: return "MD5 with signature algorithm \(signatureAlgorithmOID ?? "(none)") is not supported by Android after API 23"
        }
    }

    /// Returns the signer certificate DER and a name for the algorithm checked.
    static func verify(block: [UInt8], content: [UInt8], blockName: String, minSdk: Int) throws -> ([UInt8], [String]) {
        let structure = "PKCS#7 block \(blockName)"
        let contentInfo = try DERElement.parse(block, structure: structure).expect(DER.sequenceTag, structure).children(structure: structure)
        guard contentInfo.count == 2, contentInfo[0].objectIdentifier == JarSignatureBlock.signedDataOID else {
            throw ApkSigningError.malformed(structure: structure, offset: 0, reason: "not a PKCS#7 SignedData")
        }
        let explicit = try contentInfo[1].expect(DER.contextConstructed(0), structure).children(structure: structure, depth: 1)
        guard let signedData = explicit.first, explicit.count == 1 else {
            throw ApkSigningError.malformed(structure: structure, offset: contentInfo[1].offset, reason: "empty content")
        }
        let fields = try signedData.expect(DER.sequenceTag, structure).children(structure: structure, depth: 2)
        var certificates: [CertificateFields] = []
        var signerInfos: [DERElement] = []
        for field in fields.dropFirst(3) {
            if field.tag == DER.contextConstructed(0) {
                for certificate in try field.children(structure: structure, depth: 3) {
                    if let parsed = try? CertificateFields(der: Array(certificate.encoded)) { certificates.append(parsed) }
                }
            } else if field.tag == DER.setTag {
                signerInfos = try field.children(structure: structure, depth: 3)
            }
        }
        guard !signerInfos.isEmpty else {
            throw ApkSigningError.malformed(structure: structure, offset: signedData.offset, reason: "no SignerInfo")
        }
        var failures: [String] = []
        for signerInfo in signerInfos {
            let parts = try signerInfo.expect(DER.sequenceTag, structure).children(structure: structure, depth: 4)
            guard parts.count >= 5 else { failures.append("SignerInfo has \(parts.count) fields"); continue }
            let identifier = try parts[1].children(structure: structure, depth: 5)
            guard identifier.count == 2, parts[1].tag == DER.sequenceTag else {
                failures.append("SignerInfo does not use IssuerAndSerialNumber"); continue
            }
            guard let signer = certificates.first(where: {
                CertificateFields.sameName($0.issuerEncoded[...], identifier[0].encoded)
                    && CertificateFields.sameSerial($0.serialNumberEncoded[...], identifier[1].encoded)
            }) else {
                failures.append("the signer's certificate is not in the block"); continue
            }
            guard let digestOID = try parts[2].children(structure: structure, depth: 5).first?.objectIdentifier,
                  let digest = digestOIDs[digestOID] else {
                failures.append("unsupported digest algorithm"); continue
            }
            var index = 3
            var message = content
            if parts[3].tag == DER.contextConstructed(0) {
                let attributes = try parts[3].children(structure: structure, depth: 5)
                let expected = [UInt8](digest.verificationDigest.hash(Data(content)))
                let digestMatches = try attributes.contains { attribute in
                    let items = try attribute.children(structure: structure, depth: 6)
                    guard items.count == 2, items[0].objectIdentifier == messageDigestOID else { return false }
                    let values = try items[1].children(structure: structure, depth: 7)
                    return values.count == 1 && values[0].tag == DER.octetStringTag && values[0].content.elementsEqual(expected)
                }
                guard digestMatches else { failures.append("the signed attributes' message digest does not match the .SF"); continue }
                message = [DER.setTag] + Array(parts[3].encoded.dropFirst())
                index = 4
            }
            guard parts.count > index + 1, parts[index + 1].tag == DER.octetStringTag else {
                failures.append("SignerInfo has no signature"); continue
            }
            if case .md5 = digest {
                let signatureAlgorithmOID = try parts[index].children(structure: structure, depth: 5).first?.objectIdentifier
                if let problem = md5Problem(signatureAlgorithmOID: signatureAlgorithmOID, key: signer.publicKey, minSdk: minSdk) {
                    failures.append(problem); continue
                }
            }
            let signature = Array(parts[index + 1].content)
            if SignatureCheck.isValid(signature: signature, over: message, publicKey: signer.canonicalSubjectPublicKeyInfo,
                                      digest: digest.verificationDigest) {
                return (signer.der, ["\(digest.name)with\(signer.publicKey.family)"])
            }
            failures.append("JAR signature \(blockName) did not verify against its .SF")
        }
        throw ApkSigningError.entry(name: blockName, reason: failures.joined(separator: "; "))
    }
}

extension PublicKeyKind {
    var family: String {
        switch self {
        case .rsa: return "RSA"
        case .ec: return "ECDSA"
        case .dsa: return "DSA"
        case let .other(oid): return oid
        }
    }
}
