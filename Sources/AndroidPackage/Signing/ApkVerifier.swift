import ArchiveKit
import CryptoCore
import Foundation

/// Verifies v1 (JAR), v2 and v3 signatures as Android does: v3 for Android 9+, v2 for 7+ when
/// no v3 applies, v1 when the app supports Android before 7 or carries nothing newer. Every
/// problem found is reported, not only the first.
public enum ApkVerifier {
    static let nougat = 24
    static let pie = 28
    static let targetRequiringV2 = 30

    /// Throws `ApkSigningError` only when the file cannot be read as a ZIP archive at all.
    public static func verify(path: String, parallelism: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)) throws -> VerificationReport {
        try verify(archive: try ApkArchive.open(path), parallelism: parallelism)
    }

    /// Verifies an archive already open (the build's Verify stage reads its output's directory once).
    /// ZIP64 archives are refused as `verify(path:)` refuses them.
    public static func verify(archive: ZipArchive,
                              parallelism: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)) throws -> VerificationReport {
        if archive.zip64EndOfCentralDirectoryOffset != nil || archive.entries.contains(where: \.usesZip64) {
            throw ApkSigningError.notAnArchive(path: archive.path, reason: "ZIP64 archives cannot be APKs (Android and apksigner refuse them)")
        }
        let path = archive.path
        let format = PackageFormat.guess(path: path)
        var report = VerificationReport(path: path, format: format, minSdk: nil, targetSdk: nil, verified: false, schemes: [],
                                        signingBlockIds: archive.signingBlockPairs.map { "0x" + String($0.id, radix: 16) },
                                        signersMatchAcrossSchemes: nil, errors: [], warnings: [])
        var minSdk = 1
        if format == .apk {
            do {
                let levels = try ApkManifestLevels.levels(of: archive)
                minSdk = levels.minSdk
                report.minSdk = levels.minSdk
                report.targetSdk = levels.targetSdk
            } catch {
                report.errors.append("\(error)")
            }
        }

        let pairIds = Set(archive.signingBlockPairs.map(\.id))
        var v3 = SchemeVerification(scheme: "v3", present: pairIds.contains(ApkSigningBlock.v3SignatureId))
        var v2 = SchemeVerification(scheme: "v2", present: pairIds.contains(ApkSigningBlock.v2SignatureId))
        var strippingProtectedV3 = false
        var lineage: [String] = []
        if format == .apk, v2.present || v3.present {
            let checker = SchemeVerifier(archive: archive, parallelism: parallelism)
            defer { lineage = checker.lineageCertificates }
            if v3.present {
                v3.required = true
                checker.verify(.v3, into: &v3)
            }
            if v2.present {
                v2.required = minSdk < pie || !v3.verified
                let attributes = checker.verify(.v2, into: &v2)
                strippingProtectedV3 = attributes.contains {
                    $0.id == SchemeSignerBlock.strippingProtectionAttributeId && $0.value == [3, 0, 0, 0]
                }
            }
            if pairIds.contains(ApkSigningBlock.v31SignatureId) {
                // v3.1 has v3's layout; Android 13+ uses it for the SDK range it names.
                var v31 = SchemeVerification(scheme: "v3.1", present: true)
                let lineageBefore = checker.lineageCertificates
                checker.verify(.v3, blockId: ApkSigningBlock.v31SignatureId, into: &v31)
                checker.restoreLineage(lineageBefore)
                v31.required = true
                report.schemes.append(v31)
            }
            if strippingProtectedV3, !v3.present {
                v2.errors.append("the v2 signature says the APK is also signed with v3, but there is no v3 block (stripped?)")
                v2.verified = false
                v2.required = true
            }
        }
        let verifiedNewer = [v2, v3].filter(\.verified).map { $0.scheme == "v2" ? 2 : 3 }

        var v1 = SchemeVerification(scheme: "v1", present: archive.entry(named: ApkSigner.manifestEntryName) != nil)
        v1.required = format == .aab || minSdk < nougat || verifiedNewer.isEmpty
        if v1.present || v1.required {
            JarVerifier(archive: archive, minSdk: format == .aab ? ApkManifestLevels.bundleDigestFloor : minSdk,
                        verifiedNewerSchemes: verifiedNewer, parallelism: parallelism).verify(into: &v1)
        }
        for (id, name) in [(ApkSigningBlock.sourceStampV2Id, "source-stamp"),
                           (ApkSigningBlock.sourceStampV1Id, "source-stamp")] where pairIds.contains(id) {
            guard !report.schemes.contains(where: { $0.scheme == name }) else { continue }
            var other = SchemeVerification(scheme: name, present: true)
            other.checked = false
            report.schemes.append(other)
            report.warnings.append("\(name) block present; appseal recognises it but does not check it")
        }
        report.schemes = [v1, v2, v3] + report.schemes

        for scheme in [v1, v2, v3] + report.schemes.filter({ $0.scheme == "v3.1" }) where scheme.present || scheme.required {
            let prefixed = scheme.errors.map { "\(scheme.scheme): \($0)" }
            if scheme.required { report.errors += prefixed } else { report.warnings += prefixed }
        }
        if format == .apk, let target = report.targetSdk, target >= targetRequiringV2, verifiedNewer.isEmpty {
            report.errors.append("target SDK \(target) requires signature scheme v2 or later, and none verified")
        }

        // The same signer must stand behind every scheme Android may use.
        let signerSets = [v1, v2, v3].filter { $0.verified }.map { Set($0.signers.map(\.certificateSHA256)) }
        if signerSets.count >= 2 {
            let match = signerSets.allSatisfy { $0 == signerSets[0] }
            report.signersMatchAcrossSchemes = match
            // With key rotation, older schemes carry an older certificate from the v3 lineage.
            let olderSets = [v1, v2].filter(\.verified).map { Set($0.signers.map(\.certificateSHA256)) }
            let rotated = !lineage.isEmpty && v3.verified && olderSets.allSatisfy { $0 == olderSets[0] }
                && olderSets.first.map { $0.count == 1 && lineage.contains($0.first!) } == true
            if !match, !rotated {
                report.errors.append("signer certificates differ between schemes")
            } else if rotated, !match {
                report.signersMatchAcrossSchemes = true
                report.warnings.append("v3 signer rotated from an older certificate through its verified proof-of-rotation lineage")
            }
        }
        report.verified = report.errors.isEmpty && [v1, v2, v3].contains { $0.verified }
        if report.errors.isEmpty, !report.verified {
            report.errors.append("no signature scheme verified")
        }
        return report
    }

    static func fingerprint(_ der: [UInt8]) -> String {
        Hashing.hash(der, .sha256).map { String(format: "%02x", $0) }.joined()
    }

    static func describe(certificate der: [UInt8], signatureAlgorithms: [String]) -> VerifiedSigner {
        let fingerprint = fingerprint(der)
        let key = (try? CertificateFields(der: der))?.publicKey.description ?? "unknown key"
        if let certificate = try? Certificate(der: Data(der)) {
            return VerifiedSigner(subject: certificate.subject.rfc2253, issuer: certificate.issuer.rfc2253,
                                  certificateSHA256: fingerprint, key: key, signatureAlgorithms: signatureAlgorithms)
        }
        return VerifiedSigner(subject: "(unparseable certificate)", issuer: "", certificateSHA256: fingerprint, key: key,
                              signatureAlgorithms: signatureAlgorithms)
    }
}

extension SchemeVerification {
    init(scheme: String, present: Bool) {
        self.init(scheme: scheme, present: present, checked: present, verified: false, required: false, signers: [],
                  digestsChecked: [], errors: [])
    }
}

/// Checks the v2/v3 blocks of one archive; the content digests are computed once and shared.
final class SchemeVerifier {
    let archive: ZipArchive
    let parallelism: Int
    /// SHA-256 of each certificate in a verified v3 rotation lineage, oldest first.
    private(set) var lineageCertificates: [String] = []

    /// v3.1's lineage must not stand in for v3's when schemes are compared.
    func restoreLineage(_ certificates: [String]) { lineageCertificates = certificates }
    private var computed: [ContentDigestAlgorithm: [UInt8]] = [:]

    init(archive: ZipArchive, parallelism: Int) {
        self.archive = archive
        self.parallelism = parallelism
    }

    /// Returns the first signer's additional attributes (for v2's stripping protection).
    @discardableResult
    func verify(_ scheme: SignatureScheme, blockId: UInt32? = nil, into result: inout SchemeVerification) -> [SchemeSignerBlock.Attribute] {
        guard let pair = archive.signingBlockPairs.first(where: { $0.id == (blockId ?? scheme.blockId) }) else { return [] }
        let signers: [SchemeSignerBlock]
        do {
            let value = try archive.readBytes(at: pair.value.offset, count: Int(pair.value.length))
            signers = try SchemeSignerBlock.decodeSchemeBlock(value, scheme: scheme, offset: Int(pair.value.offset))
        } catch {
            result.errors.append("\(error)")
            return []
        }
        guard !signers.isEmpty else {
            result.errors.append("no signers")
            return []
        }
        for (index, signer) in signers.enumerated() {
            let label = "signer #\(index + 1)"
            var algorithms: [String] = []
            let supported = signer.signatures.compactMap { signature in
                SignatureAlgorithm(rawValue: signature.algorithmId).map { ($0, signature.value) }
            }
            if supported.isEmpty { result.errors.append("\(label): no supported signatures") }
            for (algorithm, value) in supported {
                let pss = algorithm == .rsaPSSWithSHA256 || algorithm == .rsaPSSWithSHA512
                if SignatureCheck.isValid(signature: value, over: signer.signedData, publicKey: signer.publicKey,
                                          hash: algorithm.signatureHash, pss: pss) {
                    algorithms.append(algorithm.name)
                } else {
                    result.errors.append("\(label): \(algorithm.name) signature over signed-data did not verify")
                }
            }
            guard let certificate = signer.certificates.first else {
                result.errors.append("\(label): no certificates")
                continue
            }
            if let fields = try? CertificateFields(der: certificate) {
                if fields.canonicalSubjectPublicKeyInfo != (CertificateFields.canonicalRSAKey(signer.publicKey) ?? signer.publicKey) {
                    result.errors.append("\(label): public key mismatch between certificate and signature record")
                }
            } else {
                result.errors.append("\(label): the first certificate cannot be parsed")
            }
            let signatureIds = signer.signatures.map(\.algorithmId).sorted()
            let digestIds = signer.digests.map(\.algorithmId).sorted()
            if signatureIds != digestIds {
                result.errors.append("\(label): signature algorithms don't match between digests and signatures records")
            }
            if scheme == .v3, signer.minSdk != signer.signedDataMinSdk || signer.maxSdk != signer.signedDataMaxSdk {
                result.errors.append("\(label): SDK range in signed data differs from the signer's")
            }
            if scheme == .v3, let lineage = signer.attributes.first(where: { $0.id == SchemeSignerBlock.proofOfRotationAttributeId }) {
                do {
                    let certificates = try SigningLineage.verify(lineage.value, signerCertificate: certificate, offset: Int(pair.value.offset))
                    lineageCertificates = certificates.map { ApkVerifier.fingerprint($0) }
                } catch {
                    result.errors.append("\(label): \(error)")
                }
            }
            for digest in signer.digests {
                guard let algorithm = SignatureAlgorithm(rawValue: digest.algorithmId)?.contentDigest else { continue }
                do {
                    let actual = try contentDigest(algorithm)
                    if actual != digest.value {
                        result.errors.append("\(label): APK integrity check failed: \(algorithm.rawValue) digest mismatch")
                    } else if !result.digestsChecked.contains(algorithm.rawValue) {
                        result.digestsChecked.append(algorithm.rawValue)
                    }
                } catch {
                    result.errors.append("\(label): cannot compute \(algorithm.rawValue): \(error)")
                }
            }
            var described = ApkVerifier.describe(certificate: certificate, signatureAlgorithms: algorithms)
            if scheme == .v3 { described.minSdk = Int(signer.minSdk); described.maxSdk = Int(signer.maxSdk) }
            result.signers.append(described)
        }
        result.verified = result.errors.isEmpty
        return signers.first?.attributes ?? []
    }

    private func contentDigest(_ algorithm: ContentDigestAlgorithm) throws -> [UInt8] {
        if let known = computed[algorithm] { return known }
        guard let block = archive.signingBlock else {
            throw ApkSigningError.malformed(structure: "APK Signing Block", offset: 0, reason: "missing")
        }
        let centralDirectory = try archive.readBytes(at: archive.centralDirectoryOffset, count: Int(archive.centralDirectorySize))
        var endRecord = try archive.readBytes(at: archive.endOfCentralDirectoryOffset,
                                              count: Int(archive.fileSize - archive.endOfCentralDirectoryOffset))
        let blockOffset = Int(block.offset)
        for byte in 0..<4 { endRecord[16 + byte] = UInt8(truncatingIfNeeded: blockOffset >> (8 * byte)) }
        let archive = self.archive
        let sections: [ContentDigester.Section] = [
            .file(length: blockOffset, read: { buffer, offset in try archive.readBytes(into: buffer, at: UInt64(offset)) }),
            .bytes(centralDirectory),
            .bytes(endRecord),
        ]
        if algorithm == .verityChunkedSHA256 {
            computed[algorithm] = try VerityDigest.compute(sections: sections)
        } else {
            for (key, value) in try ContentDigester.compute([algorithm], sections: sections, parallelism: parallelism) {
                computed[key] = value
            }
        }
        return computed[algorithm]!
    }
}
