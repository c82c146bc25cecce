import Foundation
import Testing
import TestSupport
@testable import CryptoCore

@Suite("No secret in any text")
struct SecretTests {
    /// Every failure below involves a secret; none of their texts may contain it, or the key's PEM/DER.
    @Test("Errors and descriptions never contain passwords, passphrases or key material")
    func errorsAreClean() throws {
        let directory = try TemporaryDirectory()
        let secret = "Sup3r-\(UUID().uuidString)"
        let key = try PrivateKey.generate(.ecP256)
        let keyPEM = try key.pemEncoded()
        let keyBody = keyPEM.split(separator: "\n")[1]
        let keyDERHex = try key.derEncoded().hexString
        let ca = try TestCA()
        var texts: [String] = []
        func capture(_ body: () throws -> Void) {
            do { try body(); Issue.record("expected a failure") } catch { texts.append(String(describing: error)); texts.append("\(error)") }
        }

        let encrypted = try key.pemEncoded(passphrase: secret)
        capture { _ = try PrivateKey(pem: encrypted, passphrase: secret + "x") }
        capture { _ = try PrivateKey(pem: encrypted, passphrase: String(secret.reversed())) }
        // A traditional (Proc-Type) encrypted key written by openssl.
        try directory.write("key.pem", keyPEM)
        let passPath = try directory.write("pass", secret + "\n")
        try OpenSSLCLI.run(["ec", "-in", directory.path("key.pem"), "-aes256", "-passout", "file:\(passPath)", "-out", directory.path("trad.pem")])
        capture { _ = try PrivateKey(pem: try directory.read("trad.pem"), passphrase: "nope-\(secret)") }

        let p12 = try PKCS12Bundle(privateKey: key, certificate: nil).encoded(password: secret)
        capture { _ = try PKCS12Bundle(der: p12, password: secret + "!") }
        capture { _ = try PKCS12Bundle(privateKey: key, certificate: ca.certificate).encoded(password: secret) }

        let aesKey = try AESGCM.generateKey()
        let sealed = try AESGCM.seal(Data(secret.utf8), key: aesKey)
        capture { _ = try AESGCM.open(sealed, key: try AESGCM.generateKey()) }
        capture { _ = try PrivateKey(der: try key.derEncoded() + Data([0])) }

        texts.append(key.description)
        texts.append(String(describing: key))
        texts.append(String(reflecting: key.publicKey))
        #expect(texts.count >= 16)
        for text in texts {
            #expect(!text.contains(secret), "\(text)")
            #expect(!text.contains(String(secret.reversed())), "\(text)")
            #expect(!text.contains(keyBody), "\(text)")
            #expect(!text.contains(keyDERHex.suffix(64)), "\(text)")
            #expect(!text.contains(aesKey.hexString), "\(text)")
        }
    }
}
