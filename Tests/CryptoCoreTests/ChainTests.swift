import Foundation
import Testing
import TestSupport
@testable import CryptoCore

@Suite("Chain verification")
struct ChainTests {
    @Test("A client chain passes; expired, revoked, wrong-purpose and foreign certificates fail with the reason")
    func matrix() throws {
        let ca = try TestCA(notBefore: Date().addingTimeInterval(-20 * 86_400))
        let (_, good) = try ca.issueClient(appID: "com.example.good")
        let (_, revoked) = try ca.issueClient(appID: "com.example.revoked")
        try good.verifyChain(roots: [ca.certificate], purpose: .tlsClient)

        func failure(_ body: () throws -> Void) -> String? {
            do { try body(); return nil } catch let error as CryptoError {
                #expect(error.code == .verificationFailed)
                return error.description
            } catch { return "\(error)" }
        }

        let expiredKey = try PrivateKey.generate(.ecP256)
        let expired = try CertificateBuilder(subject: DistinguishedName("CN=expired"), publicKey: expiredKey.publicKey,
                                             profile: .clientAuthentication, validityDays: 1,
                                             notBefore: Date().addingTimeInterval(-10 * 86_400))
            .signed(by: ca.certificate, key: ca.key)
        #expect(failure { try expired.verifyChain(roots: [ca.certificate], purpose: .tlsClient) }?.contains("expired") == true)
        // At a time inside its validity it passes.
        try expired.verifyChain(roots: [ca.certificate], purpose: .tlsClient, at: expired.notBefore.addingTimeInterval(60))

        var crl = try CRLBuilder()
        crl.revoke(revoked.serialNumber, reason: .keyCompromise)
        let list = try crl.signed(by: ca.certificate, key: ca.key)
        #expect(failure { try revoked.verifyChain(roots: [ca.certificate], crls: [list], purpose: .tlsClient) }?.contains("revoked") == true)
        try good.verifyChain(roots: [ca.certificate], crls: [list], purpose: .tlsClient)

        #expect(failure { try good.verifyChain(roots: [ca.certificate], purpose: .tlsServer) }?.contains("purpose") == true)
        let foreign = try TestCA()
        #expect(failure { try good.verifyChain(roots: [foreign.certificate]) } != nil)
        // A self-signed look-alike with the same subject and SAN is not issued by the CA.
        let lookAlikeKey = try PrivateKey.generate(.ecP256)
        let lookAlike = try CertificateBuilder(subject: good.subject, publicKey: lookAlikeKey.publicKey,
                                               profile: .clientAuthentication, validityDays: 7,
                                               subjectAlternativeNames: good.extensions.subjectAlternativeNames)
            .selfSigned(with: lookAlikeKey)
        #expect(failure { try lookAlike.verifyChain(roots: [ca.certificate], purpose: .tlsClient) } != nil)
        #expect(throws: CryptoError.self) { try good.verifyChain(roots: []) }
    }

    @Test("An intermediate CA chains when passed as untrusted")
    func intermediate() throws {
        let root = try TestCA(subject: "CN=root", pathLength: nil)
        let intermediateKey = try PrivateKey.generate(.ecP256)
        let intermediate = try CertificateBuilder(subject: DistinguishedName("CN=intermediate"), publicKey: intermediateKey.publicKey,
                                                  profile: .certificateAuthority(pathLength: 0), validityDays: 5)
            .signed(by: root.certificate, key: root.key)
        let leafKey = try PrivateKey.generate(.ecP256)
        let leaf = try CertificateBuilder(subject: DistinguishedName("CN=leaf"), publicKey: leafKey.publicKey,
                                          profile: .serverAuthentication, validityDays: 2,
                                          subjectAlternativeNames: [.dns("api.example.com")])
            .signed(by: intermediate, key: intermediateKey)
        #expect(leaf.extensions.dnsNames == ["api.example.com"])
        try leaf.verifyChain(roots: [root.certificate], intermediates: [intermediate], purpose: .tlsServer)
        #expect(throws: CryptoError.self) { try leaf.verifyChain(roots: [root.certificate], purpose: .tlsServer) }
        #expect(root.certificate.extensions.basicConstraints == BasicConstraints(isCA: true, pathLength: nil, isCritical: true))
        #expect(intermediate.extensions.basicConstraints?.pathLength == 0)
    }
}
