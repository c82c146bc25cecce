import Foundation
import Testing
import TestSupport
@testable import CryptoCore

/// Runs the `openssl` command line tool and fails the test with its output when it does not succeed.
enum OpenSSLCLI {
    @discardableResult
    static func run(_ arguments: [String], stdin: Data? = nil, expectSuccess: Bool = true,
                    sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
        let result = try ProcessRunner.run("openssl", arguments, stdin: stdin)
        if expectSuccess {
            #expect(result.succeeded, "openssl \(arguments.joined(separator: " ")) failed: \(result.combined)",
                    sourceLocation: sourceLocation)
        }
        return result
    }
}

extension Trait where Self == ConditionTrait {
    /// Skips, saying why, only when the shared fixtures folder is absent.
    static var needsFixtures: ConditionTrait {
        .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage))
    }
}

extension Data {
    init(hex: String) {
        self = Data(hexString: hex.filter { !$0.isWhitespace })!
    }
}

extension TemporaryDirectory {
    @discardableResult
    func write(_ name: String, _ data: Data) throws -> String {
        let path = self.path(name)
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String { try write(name, Data(text.utf8)) }

    func read(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path(name))) }
}

/// A CA and its key, made once per test that needs one.
struct TestCA {
    let key: PrivateKey
    let certificate: Certificate

    init(_ type: KeyType = .ecP256, subject: String = "CN=appseal test CA,O=Example", pathLength: Int? = 0,
         notBefore: Date = Date()) throws {
        key = try PrivateKey.generate(type)
        certificate = try CertificateBuilder(subject: DistinguishedName(subject), publicKey: key.publicKey,
                                             profile: .certificateAuthority(pathLength: pathLength), validityDays: 30,
                                             notBefore: notBefore)
            .selfSigned(with: key)
    }

    func issueClient(appID: String = "com.example.app", type: KeyType = .ecP256, days: Int = 7) throws -> (PrivateKey, Certificate) {
        let clientKey = try PrivateKey.generate(type)
        let certificate = try CertificateBuilder(subject: DistinguishedName("CN=\(appID),O=Example"),
                                                 publicKey: clientKey.publicKey, profile: .clientAuthentication,
                                                 validityDays: days,
                                                 subjectAlternativeNames: [.uri("urn:appseal:app:android:\(appID)")])
            .signed(by: self.certificate, key: key)
        return (clientKey, certificate)
    }
}
