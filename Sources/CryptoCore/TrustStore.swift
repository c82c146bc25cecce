import COpenSSL
import CAppsealShim
import Foundation

/// Owns an X509_STORE built from trusted roots and optional CRLs.
final class TrustStore {
    let pointer: OpaquePointer
    let checksRevocation: Bool

    init(roots: [Certificate], crls: [CertificateRevocationList], at date: Date?, operation: String) throws {
        guard !roots.isEmpty else { throw CryptoError.invalid(operation, "no trusted root certificates were given") }
        OpenSSLErrorQueue.clear()
        pointer = try require(X509_STORE_new(), operation)
        checksRevocation = !crls.isEmpty
        for root in roots {
            try check(X509_STORE_add_cert(pointer, root.pointer), operation)
        }
        for crl in crls {
            try check(X509_STORE_add_crl(pointer, crl.pointer), operation)
        }
        var flags = UInt(0)
        if checksRevocation { flags |= UInt(X509_V_FLAG_CRL_CHECK) }
        if flags != 0 { try check(X509_STORE_set_flags(pointer, flags), operation) }
        if let date, let parameters = X509_STORE_get0_param(pointer) {
            X509_VERIFY_PARAM_set_time(parameters, time_t(date.timeIntervalSince1970))
        }
    }

    deinit { X509_STORE_free(pointer) }
}

/// Why a chain did not verify: OpenSSL's verify error, with the depth and subject it failed at.
func verifyErrorReason(_ context: OpaquePointer) -> String {
    let code = X509_STORE_CTX_get_error(context)
    let depth = X509_STORE_CTX_get_error_depth(context)
    var reason = String(cString: X509_verify_cert_error_string(Int(code)))
    if let failing = X509_STORE_CTX_get_current_cert(context), let name = X509_get_subject_name(failing),
       let subject = try? DistinguishedName(reading: name) {
        reason += " (depth \(depth), '\(subject)')"
    }
    return reason
}

/// The purposes a chain can be checked for.
public enum CertificatePurpose: Sendable {
    case any
    case tlsClient
    case tlsServer

    var openSSLPurpose: Int32 {
        switch self {
        case .any: X509_PURPOSE_ANY
        case .tlsClient: X509_PURPOSE_SSL_CLIENT
        case .tlsServer: X509_PURPOSE_SSL_SERVER
        }
    }
}

extension Certificate {
    /// Verifies the chain from this certificate to one of `roots` (through `intermediates`), as a TLS server
    /// checking a client certificate would: validity at `date` (default now), purpose and, when CRLs are given,
    /// revocation of this certificate (as nginx `ssl_crl` and HAProxy `crl-file` check the client). Throws `.verificationFailed` with OpenSSL's reason.
    public func verifyChain(roots: [Certificate], intermediates: [Certificate] = [],
                            crls: [CertificateRevocationList] = [], purpose: CertificatePurpose = .any,
                            at date: Date? = nil) throws {
        let operation = "certificate chain check"
        let store = try TrustStore(roots: roots, crls: crls, at: date, operation: operation)
        let untrusted = try require(appseal_sk_X509_new_null(), operation)
        defer { appseal_sk_X509_free(untrusted) }
        for certificate in intermediates {
            guard appseal_sk_X509_push(untrusted, certificate.pointer) > 0 else { throw CryptoError.drainingQueue(.library, operation: operation) }
        }
        let context = try require(X509_STORE_CTX_new(), operation)
        defer { X509_STORE_CTX_free(context) }
        try withExtendedLifetime((intermediates, roots, crls)) {
            try check(X509_STORE_CTX_init(context, store.pointer, pointer, untrusted), operation)
            try check(X509_STORE_CTX_set_purpose(context, purpose.openSSLPurpose), operation)
            guard X509_verify_cert(context) == 1 else {
                let reason = verifyErrorReason(context)
                OpenSSLErrorQueue.clear()
                throw CryptoError(.verificationFailed, operation: operation, reasons: ["'\(subject)': \(reason)"])
            }
        }
    }
}
