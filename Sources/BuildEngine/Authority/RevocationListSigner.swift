import CryptoCore
import Foundation

/// The CRL of the workspace CA, built from issued.json so it always lists exactly the
/// certificates recorded as revoked.
enum RevocationListSigner {
    static func sign(issuer: Certificate, key: PrivateKey, number: Int, revoked: [IssuedCertificateRecord],
                     thisUpdate: Date, nextUpdate: Date) throws(AuthorityError) -> Data {
        try CertificateAuthority.crypto("CRL signing") {
            var builder = try CRLBuilder(crlNumber: UInt64(number), thisUpdate: thisUpdate, validityDays: 1)
            builder.nextUpdate = WorkspaceJSON.timestamp(nextUpdate)
            for record in revoked {
                guard let serial = SerialNumber(hex: record.serial) else {
                    throw AuthorityError.inconsistent(path: "issued.json", reason: "serial '\(record.serial)' is not hex")
                }
                builder.revoke(serial, reason: record.revocationReason ?? .unspecified, at: record.revoked ?? thisUpdate)
            }
            return Data(try builder.signed(by: issuer, key: key).pem.utf8)
        }
    }

    static func nextUpdate(ofPEM pem: Data, path: String) throws(AuthorityError) -> Date {
        let crl = try CertificateAuthority.crypto("reading \(path)") { try CertificateRevocationList(pem: pem) }
        guard let next = crl.nextUpdate else {
            throw .inconsistent(path: path, reason: "the CRL has no next update")
        }
        return next
    }

    /// A parent CA's CRL given at import: signed by that CA and not yet past its next update.
    static func checkIssued(_ pem: Data, by issuer: Certificate, now: Date) throws {
        let crls = try CertificateRevocationList(pem: pem)
        try crls.verify(issuedBy: issuer)
        if let next = crls.nextUpdate, next < now {
            throw AuthorityError.importRejected(reason: "the parent CRL expired at \(CertificateAuthority.iso(next))")
        }
    }
}
