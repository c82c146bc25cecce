import ArchiveKit
import CryptoCore
import Foundation

extension AndroidPackageInspector {
    /// Finds the schemes present and their signer certificates. This reports; it does not verify
    /// (`appseal verify` does), so a tampered package still shows who claims to have signed it.
    static func addSignatures(_ archive: ZipArchive, to inspection: inout AndroidPackageInspection)
        throws(AndroidPackageInspectionError) {
        var schemes: [String] = []
        // v1: a .SF with its signature block file of the same base name, directly in META-INF/.
        let metaInf = archive.entries.map(\.name).filter { $0.hasPrefix("META-INF/") && !$0.dropFirst(9).contains("/") }
        let signatureFiles = Set(metaInf.filter { $0.uppercased().hasSuffix(".SF") }.map { String($0.dropLast(3)) })
        let blockExtensions = [".RSA", ".DSA", ".EC"]
        for name in metaInf.sorted() {
            guard let ext = blockExtensions.first(where: { name.uppercased().hasSuffix($0) }) else { continue }
            let base = String(name.dropLast(ext.count))
            guard signatureFiles.contains(base) else {
                inspection.problems.append(.init(severity: .warning, code: "v1-block-without-sf",
                    message: "\(name) has no \(base).SF beside it, so it signs nothing (a decoy certificate?)"))
                continue
            }
            if !schemes.contains("v1") { schemes.append("v1") }
            guard let entry = archive.entry(named: name) else { continue }
            do {
                let signed = try CMSSignedData(der: Data(try readEntry(entry, from: archive)))
                // The signer's own certificate, not merely the first of the bag (F-Droid issue 1128).
                if let certificate = signed.signers.first?.certificate ?? signed.certificates.first {
                    inspection.signers.append(signer(certificate, scheme: "v1 (\(name))"))
                }
            } catch {
                inspection.problems.append(.init(severity: .warning, code: "v1-block-unreadable",
                                                 message: "\(name) is not a readable PKCS#7 block: \(error)"))
            }
        }
        let pairs = archive.signingBlockPairs
        for (id, scheme) in [(v2BlockID, "v2"), (v3BlockID, "v3"), (v31BlockID, "v3.1")] {
            guard let pair = pairs.first(where: { $0.id == id }) else { continue }
            schemes.append(scheme)
            do {
                for certificate in try signerCertificates(archive, pair.value) {
                    inspection.signers.append(signer(certificate, scheme: scheme))
                }
            } catch {
                inspection.problems.append(.init(severity: .warning, code: "signing-block-unreadable",
                                                 message: "APK Signature Scheme \(scheme) block: \(error)"))
            }
        }
        if pairs.contains(where: { sourceStampIDs.contains($0.id) }) { schemes.append("source-stamp") }
        inspection.signatureSchemes = schemes
    }

    private static func signer(_ certificate: Certificate, scheme: String) -> AndroidPackageInspection.Signer {
        .init(scheme: scheme, subject: certificate.subject.rfc2253, issuer: certificate.issuer.rfc2253,
              sha256: certificate.sha256Fingerprint.hex,
              keyAlgorithm: "\(certificate.keyAlgorithm)")
    }

    struct SigningBlockFormatError: Error, CustomStringConvertible {
        let offset: Int
        let reason: String
        var description: String { "\(reason) at offset \(offset) of the block value" }
    }

    /// The first certificate of each signer in a v2/v3/v3.1 block value:
    /// signers → signer → signed data → (digests, certificates → certificate DER).
    static func signerCertificates(_ archive: ZipArchive, _ region: ZipRegion) throws -> [Certificate] {
        guard region.length <= UInt64(maximumMetadataSize) else {
            throw SigningBlockFormatError(offset: 0, reason: "block value of \(region.length) bytes is too large")
        }
        let bytes = try archive.readBytes(at: region.offset, count: Int(region.length))
        func lengthPrefixed(_ range: Range<Int>, at offset: Int) throws -> Range<Int> {
            guard offset >= range.lowerBound, range.upperBound - offset >= 4 else {
                throw SigningBlockFormatError(offset: offset, reason: "length prefix runs past its sequence")
            }
            let length = Int(UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
                | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24)
            guard length <= range.upperBound - offset - 4 else {
                throw SigningBlockFormatError(offset: offset, reason: "length \(length) runs past its sequence")
            }
            return (offset + 4)..<(offset + 4 + length)
        }
        func items(_ range: Range<Int>) throws -> [Range<Int>] {
            var found: [Range<Int>] = []
            var cursor = range.lowerBound
            while cursor < range.upperBound {
                let item = try lengthPrefixed(range, at: cursor)
                found.append(item)
                cursor = item.upperBound
            }
            return found
        }
        var certificates: [Certificate] = []
        let signers = try lengthPrefixed(0..<bytes.count, at: 0)
        for signer in try items(signers) {
            let signedData = try lengthPrefixed(signer, at: signer.lowerBound)
            let digests = try lengthPrefixed(signedData, at: signedData.lowerBound)
            let certificateList = try lengthPrefixed(signedData, at: digests.upperBound)
            if let first = try items(certificateList).first {
                certificates.append(try Certificate(der: Data(bytes[first])))
            }
        }
        return certificates
    }
}
