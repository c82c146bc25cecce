import CryptoCore
import Foundation

/// Pins computed from certificate files for Certificate Pinning's `pinCertificates` option.
/// A PEM file may hold a chain, leaf first: `public-key` and `leaf` pin its first
/// certificate, `root` its last, `chain` every one.
public enum PinComputation {
    @Sendable public static func pins(scheme: String, certificateFile path: String) throws -> [String] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw PinComputationError(reason: "cannot read the file")
        }
        let certificates: [Certificate]
        if let pem = try? Certificate.all(inPEM: data), !pem.isEmpty {
            certificates = pem
        } else if let der = try? Certificate(der: data) {
            certificates = [der]
        } else {
            throw PinComputationError(reason: "it holds no PEM or DER certificate")
        }
        func certificatePin(_ certificate: Certificate) -> String {
            "sha256/" + certificate.sha256Fingerprint.bytes.base64EncodedString()
        }
        switch scheme {
        case "public-key": return [certificates[0].spkiPin]
        case "leaf": return [certificatePin(certificates[0])]
        case "root": return [certificatePin(certificates[certificates.count - 1])]
        case "chain": return certificates.map(certificatePin)
        default: throw PinComputationError(reason: "unknown pinning scheme '\(scheme)'")
        }
    }
}

public struct PinComputationError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}
