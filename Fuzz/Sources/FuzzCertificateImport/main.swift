import CFuzzDriver
import CryptoCore
import Foundation

/// Feeds arbitrary bytes to every CryptoCore import path that reads untrusted files: X.509 (DER, PEM,
/// bundles), PKCS#12 (MAC check and bags), CRLs, CMS SignedData, private keys (DER and unencrypted PEM)
/// and SPKI. A thrown CryptoError is an expected outcome; a crash, hang, leak or sanitizer report is a bug.
/// Whatever parses is also used (fields read, signatures checked) so the parsed values are exercised.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCertificateImport(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Data(bytes: data, count: size)

    if let certificate = try? Certificate(pemOrDER: bytes) {
        _ = certificate.subject.rfc2253
        _ = certificate.extensions.subjectAlternativeNames
        _ = certificate.spkiPin
        _ = certificate.isIssued(by: certificate)
        _ = certificate.pem
    }
    _ = try? Certificate.all(inPEM: bytes)
    // Two fixtures' password, so their unmutated seeds get past the MAC into the bags.
    if let bundle = try? PKCS12Bundle(der: bytes, password: "password") {
        _ = bundle.friendlyName
        _ = bundle.chain.count
    }
    if let crl = try? CertificateRevocationList(pemOrDER: bytes) {
        _ = crl.revoked.count
    }
    if let signedData = try? CMSSignedData(der: bytes) {
        _ = signedData.signers.map(\.signedAttributes)
        _ = try? signedData.verify(detachedContent: signedData.isDetached ? Data("content".utf8) : nil)
    }
    // No passphrase: encrypted keys are refused before any KDF runs, so a hostile iteration count cannot hang.
    if let key = try? PrivateKey(pemOrDER: bytes, passphrase: nil) {
        _ = key.publicKey.pin
    }
    _ = try? PublicKey(spkiDER: bytes)
    return 0
}

exit(appseal_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in fuzzCertificateImport(data, size) })
